import type Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/records/sqlite/sqlite-database';
import { ListSnapshot } from '../../src/rules/list-snapshot';
import type { ListChange, ListStore } from '../../src/rules/list-store';
import { createPostgresListStore } from '../../src/rules/postgres-list-store';
import { SqliteListStore } from '../../src/rules/sqlite-list-store';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from './support/postgres-test-database';

const url = postgresTestUrl();
const pgUp = postgresAvailable(url);

/** Storage shared by every store `open` returns (as replicas share one database), and its disposal. */
interface Backend {
  open(): Promise<ListStore>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'lists-'));
  const dbs: Database.Database[] = [];
  return {
    open() {
      const db = openSqlite(join(dir, 'fraud.db'));
      dbs.push(db);
      return Promise.resolve(new SqliteListStore(db));
    },
    dispose() {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresBackend(): Backend {
  const schema = testSchemaName();
  const stores: ListStore[] = [];
  return {
    async open() {
      const s = await createPostgresListStore({ connectionString: url, schema });
      stores.push(s);
      return s;
    },
    async dispose() {
      for (const s of stores) await s.close();
      await dropTestSchema(url, schema);
    },
  };
}

const change = (list: string, value: string, present: boolean, over: Partial<ListChange> = {}): ListChange => ({
  list, value, present, changedAt: '2026-12-07T10:00:00.000Z', changedBy: 'analyst-1', reason: present ? 'confirmed fraud' : null, ...over,
});

describe.each([
  ['sqlite', sqliteBackend, false],
  ['postgres', postgresBackend, !pgUp],
] as const)('list store contract: %s', (_name, makeBackend, skip) => {
  const maybe = skip ? it.skip : it;
  let backend: Backend;
  beforeEach(() => {
    backend = makeBackend();
  });
  afterEach(async () => {
    await backend.dispose();
  });

  maybe('numbers changes 1, 2, … and keeps the latest state of each value, removals as tombstones', async () => {
    const store = await backend.open();
    expect(await store.get('blocked_merchants', 'm-1')).toBeNull();
    expect(await store.change(change('blocked_merchants', 'm-1', true))).toEqual({ ...change('blocked_merchants', 'm-1', true), revision: 1 });
    expect(await store.change(change('blocked_users', 'u-1', true))).toMatchObject({ revision: 2 });
    expect(await store.change(change('blocked_merchants', 'm-1', false, { changedBy: 'analyst-2' }))).toMatchObject({ revision: 3, present: false });
    expect(await store.get('blocked_merchants', 'm-1')).toEqual({ ...change('blocked_merchants', 'm-1', false, { changedBy: 'analyst-2' }), revision: 3 });
    // The same value in another list is another entry.
    expect(await store.get('blocked_users', 'm-1')).toBeNull();
    expect((await store.changesSince(0, 100)).map((e) => [e.list, e.value, e.present, e.revision])).toEqual([
      ['blocked_users', 'u-1', true, 2],
      ['blocked_merchants', 'm-1', false, 3],
    ]);
    expect((await store.changesSince(2, 100)).map((e) => e.revision)).toEqual([3]);
    expect((await store.changesSince(0, 1)).map((e) => e.revision)).toEqual([2]);
  });

  maybe('is shared: a change through one instance is read by another, durable across reopening', async () => {
    const a = await backend.open();
    const b = await backend.open();
    await a.change(change('review_merchants', 'm-9', true));
    expect(await b.get('review_merchants', 'm-9')).toMatchObject({ present: true, revision: 1, changedBy: 'analyst-1', reason: 'confirmed fraud' });
    await a.close();
    const c = await backend.open();
    expect((await c.changesSince(0, 10)).map((e) => e.value)).toEqual(['m-9']);
  });

  maybe('concurrent changes from several instances get distinct revisions in commit order, none lost', async () => {
    const stores = await Promise.all([backend.open(), backend.open(), backend.open()]);
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => (stores[i % 3] as ListStore).change(change('blocked_users', `u-${i}`, true))));
    expect(made.map((e) => e.revision).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const seen = await (stores[0] as ListStore).changesSince(0, 100);
    expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  maybe('a snapshot loads every list, catches up with changes made elsewhere, and applies its own at once', async () => {
    const writer = await backend.open();
    await writer.change(change('blocked_users', 'u-1', true));
    await writer.change(change('blocked_users', 'u-2', true));
    await writer.change(change('blocked_users', 'u-2', false));
    const synced: number[] = [];
    const snapshot = await ListSnapshot.load(await backend.open(), { intervalMs: 0, onError: (err) => { throw err; }, now: () => 0, onSynced: (counts) => synced.push(counts.get('blocked_users') ?? -1) });
    try {
      const users = snapshot.entries('blocked_users');
      expect([...users.keys()]).toEqual(['u-1']);
      expect(snapshot.appliedRevision).toBe(3);
      await writer.change(change('blocked_users', 'u-1', false));
      await writer.change(change('allowed_users', 'vip', true));
      expect(users.has('u-1')).toBe(true);
      await snapshot.sync();
      // The same Map object, changed in place: rules built on it see the change.
      expect(snapshot.entries('blocked_users')).toBe(users);
      expect(users.size).toBe(0);
      expect(snapshot.entries('allowed_users').has('vip')).toBe(true);
      snapshot.apply(await writer.change(change('blocked_mccs', '7995', true)));
      expect(snapshot.entries('blocked_mccs').has('7995')).toBe(true);
      expect(synced).toEqual([1, 0]);
    } finally {
      snapshot.close();
    }
  });
});
