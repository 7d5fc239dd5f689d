import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { spawnService } from '../../support/spawn-service';

/** `chattr +i`: a file nobody can write, root included (tests run as root, which file modes do not stop). */
function makeImmutable(path: string): boolean {
  return spawnSync('chattr', ['+i', path]).status === 0;
}

describe('an unwritable SQLite database', () => {
  let dir: string;
  let shm: string;
  let immutable = false;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'unwritable-'));
    openSqlite(join(dir, 'fraud.db')).close();
    shm = join(dir, 'fraud.db-shm');
    writeFileSync(shm, 'x'.repeat(100));
    immutable = makeImmutable(shm);
  });

  afterAll(() => {
    spawnSync('chattr', ['-i', shm]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('is a logged, clean refusal to start (exit 1), never a signal death', async () => {
    if (!immutable) return; // no chattr on this file system: nothing to test
    const started = spawnService({ DATA_DIR: dir });
    await expect(started).rejects.toThrow(/service exited \(1\) before listening[\s\S]*fraud\.db-shm is not writable \(EPERM\)/);
  });
});
