import { DECISION_COLUMNS } from './decision-fields';
import type { Column } from './decision-field-kinds';

export type SqlDialect = 'sqlite' | 'postgres';

const SEQ: Record<SqlDialect, string> = { sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT', postgres: 'BIGSERIAL PRIMARY KEY' };

const typeOf = (c: Column, dialect: SqlDialect) => (dialect === 'sqlite' ? c.sqliteType : c.pgType);

function definition(c: Column, dialect: SqlDialect): string {
  return `${c.name} ${typeOf(c, dialect)}${c.nullable ? '' : ' NOT NULL'}${c.unique === true ? ' UNIQUE' : ''}`;
}

/**
 * The `decisions` table as the field table (decision-fields.ts) describes it: `seq` (the commit
 * order) and every column, `CREATE TABLE IF NOT EXISTS`. `table` is the name as SQL (quoted and
 * schema-qualified where needed).
 */
export function createDecisionsTableSql(dialect: SqlDialect, table: string): string {
  const columns = [`seq ${SEQ[dialect]}`, ...DECISION_COLUMNS.map((c) => definition(c, dialect))];
  return `CREATE TABLE IF NOT EXISTS ${table} (\n  ${columns.join(',\n  ')}\n);`;
}

/**
 * The statements that bring a `decisions` table created by an earlier build up to the field
 * table: an `ADD COLUMN` for each column it lacks. `existing` is the table's column names, or null
 * when the database adds only what is missing itself (PostgreSQL's `IF NOT EXISTS`, which then
 * covers every nullable column). Throws when a column the table lacks is NOT NULL: a field added
 * after the first schema must be nullable, since the rows already stored have no value for it.
 */
export function addDecisionColumnsSql(dialect: SqlDialect, table: string, existing: ReadonlySet<string> | null): string[] {
  const missing = DECISION_COLUMNS.filter((c) => (existing === null ? c.nullable : !existing.has(c.name)));
  return missing.map((c) => {
    if (!c.nullable) throw new Error(`${table} has no column ${c.name}, which is NOT NULL: a decision field added later must be nullable`);
    return `ALTER TABLE ${table} ADD COLUMN${existing === null ? ' IF NOT EXISTS' : ''} ${c.name} ${typeOf(c, dialect)};`;
  });
}
