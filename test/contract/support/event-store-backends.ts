import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionLog } from '../../../src/records/decision-log';
import type { LabelStore } from '../../../src/records/label-store';
import { createPostgresDecisionLog } from '../../../src/records/postgres/postgres-decision-log';
import { createPostgresLabelStore } from '../../../src/records/postgres/postgres-label-store';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../../src/records/sqlite/sqlite-decision-log';
import { SqliteLabelStore } from '../../../src/records/sqlite/sqlite-label-store';
import { HELD_WRITES, type DecisionLogBackend, type TestWriterOptions } from './decision-log-contract';
import type { LabelStoreBackend } from './label-store-contract';
import { dropTestSchema, testSchemaName } from './postgres-test-database';

/** Storage of one test: a temp directory (spill files, the SQLite file) and what was opened on it. */
class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'event-stores-'));
  private opened = 0;
  private readonly closers: (() => Promise<void> | void)[] = [];

  /** Writer settings for a new instance: held writes, its own spill file, then the test's overrides. */
  writer(overrides: TestWriterOptions = {}) {
    this.opened += 1;
    return { ...HELD_WRITES, spillPath: join(this.dir, `spill-${this.opened}.ndjson`), ...overrides };
  }

  onDispose(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  async dispose(): Promise<void> {
    // Newest first: adapters before the connections they use.
    for (const close of this.closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function sqliteConnection(scratch: Scratch): Database.Database {
  const db = openSqlite(join(scratch.dir, 'fraud.db'));
  scratch.onDispose(() => {
    db.close();
  });
  return db;
}

/**
 * The embedded decision log on a temp-file database; each `open` is a new connection. Batches are
 * written by `writerThread` (the built writer script, as the service does) or, with null, on this
 * thread.
 */
export function sqliteDecisionLogBackend(writerThread: string | null): () => Promise<DecisionLogBackend> {
  return () => {
    const scratch = new Scratch();
    return Promise.resolve({
      open(writer?: TestWriterOptions): Promise<DecisionLog> {
        const log = new SqliteDecisionLog(sqliteConnection(scratch), scratch.writer(writer), { writerThread });
        scratch.onDispose(() => log.close());
        return Promise.resolve(log);
      },
      dispose: () => scratch.dispose(),
    });
  };
}

/** The embedded label store on a temp-file database; each `open` is a new connection. */
export function sqliteLabelStoreBackend(): Promise<LabelStoreBackend> {
  const scratch = new Scratch();
  return Promise.resolve({
    open(): Promise<LabelStore> {
      const store = new SqliteLabelStore(sqliteConnection(scratch));
      scratch.onDispose(() => store.close());
      return Promise.resolve(store);
    },
    dispose: () => scratch.dispose(),
  });
}

/** The PostgreSQL decision log in a schema of its own; each `open` is a new instance with its own pool. */
export function postgresDecisionLogBackend(url: string): () => Promise<DecisionLogBackend> {
  return () => {
    const scratch = new Scratch();
    const schema = testSchemaName();
    scratch.onDispose(() => dropTestSchema(url, schema));
    return Promise.resolve({
      async open(writer?: TestWriterOptions): Promise<DecisionLog> {
        const log = await createPostgresDecisionLog({ connectionString: url, schema, writer: scratch.writer(writer) });
        scratch.onDispose(() => log.close());
        return log;
      },
      dispose: () => scratch.dispose(),
    });
  };
}

/** The PostgreSQL label store in a schema of its own; each `open` is a new instance with its own pool. */
export function postgresLabelStoreBackend(url: string): () => Promise<LabelStoreBackend> {
  return () => {
    const scratch = new Scratch();
    const schema = testSchemaName();
    scratch.onDispose(() => dropTestSchema(url, schema));
    return Promise.resolve({
      async open(): Promise<LabelStore> {
        const store = await createPostgresLabelStore({ connectionString: url, schema });
        scratch.onDispose(() => store.close());
        return store;
      },
      dispose: () => scratch.dispose(),
    });
  };
}
