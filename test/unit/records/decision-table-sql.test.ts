import Database from 'better-sqlite3';
import { DECISION_COLUMNS } from '../../../src/records/decision-fields';
import { addDecisionColumnsSql, createDecisionsTableSql } from '../../../src/records/decision-table-sql';

describe('the decisions DDL, derived from the field table', () => {
  test('declares every column of the table once, NOT NULL exactly where the field is not nullable, the transaction id unique', () => {
    const sql = createDecisionsTableSql('postgres', '"s".decisions');
    for (const c of DECISION_COLUMNS) {
      const line = sql.split('\n').find((l) => l.trim().startsWith(`${c.name} `));
      expect(line?.trim().replace(/,$/, '')).toBe(`${c.name} ${c.pgType}${c.nullable ? '' : ' NOT NULL'}${c.name === 'transaction_id' ? ' UNIQUE' : ''}`);
    }
    expect(sql).toContain('seq BIGSERIAL PRIMARY KEY');
  });

  test('SQLite refuses a second record for one transaction id', () => {
    const db = new Database(':memory:');
    try {
      db.exec(createDecisionsTableSql('sqlite', 'decisions'));
      const values = DECISION_COLUMNS.map((c) => (c.sqliteType === 'BLOB' ? Buffer.alloc(4) : c.sqliteType === 'TEXT' ? 'x' : 1));
      const insert = db.prepare(`INSERT INTO decisions (${DECISION_COLUMNS.map((c) => c.name).join(', ')}) VALUES (${DECISION_COLUMNS.map(() => '?').join(', ')})`);
      insert.run(...values);
      expect(() => insert.run(...values)).toThrow(/UNIQUE constraint failed: decisions.transaction_id/);
    } finally {
      db.close();
    }
  });

  test('adds only what an older table lacks, and refuses to add a NOT NULL column', () => {
    const all = new Set(DECISION_COLUMNS.map((c) => c.name));
    expect(addDecisionColumnsSql('sqlite', 'decisions', all)).toEqual([]);
    const withoutRules = new Set([...all].filter((n) => n !== 'rules'));
    expect(addDecisionColumnsSql('sqlite', 'decisions', withoutRules)).toEqual(['ALTER TABLE decisions ADD COLUMN rules TEXT;']);
    const withoutDecision = new Set([...all].filter((n) => n !== 'decision'));
    expect(() => addDecisionColumnsSql('sqlite', 'decisions', withoutDecision)).toThrow(
      'decisions has no column decision, which is NOT NULL: a decision field added later must be nullable',
    );
  });
});
