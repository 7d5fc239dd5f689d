import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DECISION_COLUMNS } from '../../src/records/decision-fields';
import { openSqlite } from '../../src/records/sqlite/sqlite-database';
import { ensurePostgresSchema, quoteSchema } from '../../src/records/postgres/postgres-schema';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from './support/postgres-test-database';

/**
 * The columns of the decision record's table (src/records/decision-fields.ts) must be exactly the
 * columns the databases hold, with the declared type and nullability, in both databases: new
 * ones, and ones created by the first release and migrated since (the DDL and the migration are
 * derived from the table, decision-table-sql.ts).
 */

/** The `decisions` columns of the first release: a database of that time has these alone. */
const FIRST_RELEASE = [
  'transaction_id', 'request_hash', 'event_time', 'user_id', 'merchant_id', 'transaction_json', 'features', 'feature_spec_hash', 'score',
  'decision', 'model_version', 'shadow_version', 'shadow_score', 'degraded', 'degraded_reasons', 'latency_ms', 'decided_at',
];
const firstRelease = DECISION_COLUMNS.filter((c) => FIRST_RELEASE.includes(c.name));

interface Declared {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

const byName = (a: Declared, b: Declared) => a.name.localeCompare(b.name);
const expected = (type: (c: (typeof DECISION_COLUMNS)[number]) => string): Declared[] =>
  [{ name: 'seq', type: type({ name: 'seq', sqliteType: 'INTEGER', pgType: 'BIGINT', pgParam: 'bigint', pgSelect: null, nullable: false }), notNull: true }, ...DECISION_COLUMNS.map((c) => ({ name: c.name, type: type(c), notNull: !c.nullable }))].sort(byName);

describe('the decision table and the SQLite DDL', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'decision-columns-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sqliteColumns(db: Database.Database): Declared[] {
    const info = db.prepare('PRAGMA table_info(decisions)').all() as { name: string; type: string; notnull: number; pk: number }[];
    // SQLite does not record NOT NULL on an INTEGER PRIMARY KEY (it is the rowid, never NULL).
    return info.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 || c.pk === 1 })).sort(byName);
  }

  test('a new database has exactly the table columns, with their types and nullability', () => {
    const db = openSqlite(':memory:');
    try {
      expect(sqliteColumns(db)).toEqual(expected((c) => c.sqliteType));
    } finally {
      db.close();
    }
  });

  test('a database of the first release is migrated to exactly the table columns', () => {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(`CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${firstRelease.map((c) => `${c.name} ${c.sqliteType}${c.nullable ? '' : ' NOT NULL'}`).join(', ')}, UNIQUE (transaction_id))`);
    old.close();
    const db = openSqlite(path);
    try {
      expect(sqliteColumns(db)).toEqual(expected((c) => c.sqliteType));
    } finally {
      db.close();
    }
  });
});

const url = postgresTestUrl();
const pgUp = postgresAvailable(url);

(pgUp ? describe : describe.skip)('the decision table and the PostgreSQL DDL', () => {
  let pool: Pool;
  let schema: string;
  beforeEach(() => {
    pool = new Pool({ connectionString: url, max: 1 });
    schema = testSchemaName();
  });
  afterEach(async () => {
    await pool.end();
    await dropTestSchema(url, schema);
  });

  async function pgColumns(): Promise<Declared[]> {
    const res = await pool.query<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'decisions'`,
      [schema],
    );
    return res.rows.map((c) => ({ name: c.column_name, type: c.data_type === 'ARRAY' ? `${c.udt_name.slice(1)}[]` : c.data_type, notNull: c.is_nullable === 'NO' })).sort(byName);
  }

  test('a new schema has exactly the table columns, with their types and nullability', async () => {
    await ensurePostgresSchema(pool, schema);
    expect(await pgColumns()).toEqual(expected((c) => c.pgType.toLowerCase()));
  });

  test('a schema of the first release is migrated to exactly the table columns', async () => {
    const columns = firstRelease.map((c) => `${c.name} ${c.pgType}${c.nullable ? '' : ' NOT NULL'}`).join(', ');
    await pool.query(`CREATE SCHEMA ${quoteSchema(schema)}; CREATE TABLE ${quoteSchema(schema)}.decisions (seq BIGSERIAL PRIMARY KEY, ${columns}, UNIQUE (transaction_id))`);
    await ensurePostgresSchema(pool, schema);
    expect(await pgColumns()).toEqual(expected((c) => c.pgType.toLowerCase()));
  });
});
