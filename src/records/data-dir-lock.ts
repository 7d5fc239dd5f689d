import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Another process (or another service in this one) holds the data directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/** The serving process's hold on its data directory; `release` is idempotent. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** The lock file inside a data directory. */
export const LOCK_FILE = 'owner.lock';

/**
 * Makes this process the only service on `dir` (the embedded decision log, its spill file): an
 * exclusive SQLite lock on `<dir>/owner.lock`, held until `release` or until the process ends in
 * any way (the kernel drops the lock of a killed process, so a crash never leaves it stale).
 * Waits up to `waitMs` for a previous holder to finish (a restart that overlaps the old process's
 * drain), then throws {@link DataDirInUseError}.
 *
 * Why it exists: a sole writer can trust what it has seen (see SqliteDecisionLog's id filter), and
 * two services sharing one spill file or one apply sequence would corrupt both.
 */
export function lockDataDir(dir: string, waitMs: number): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const db = new Database(path, { timeout: waitMs });
  try {
    // In exclusive locking mode the lock taken by the first write transaction is kept after it.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataDirInUseError(`DATA_DIR ${dir} is in use by another fraud-scoring service (it holds ${path}); waited ${waitMs} ms`);
    }
    throw err;
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
