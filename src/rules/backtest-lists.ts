import { BacktestInputError, type BacktestLists } from './backtest';
import type { ListEntries, RuleSet } from './rule-set';
import { listValueError } from './rule-set';

/**
 * The lists a backtest of `set` reads: every list the set declares, empty unless `text` (a JSON
 * object `{"<list name>": ["value", ...]}`, the contents of a `--lists` file) gives entries. Throws
 * {@link BacktestInputError} naming every problem: not a JSON object, a name the set does not
 * declare, a value that is not a string or that no transaction's key field could hold
 * (`listValueError`).
 */
export function backtestLists(set: RuleSet, text: string | null): BacktestLists {
  const lists: Record<string, ListEntries> = {};
  for (const l of set.lists) lists[l.name] = new Map();
  if (text === null) return lists;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BacktestInputError(`not JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new BacktestInputError('must be a JSON object {"<list name>": ["value", ...]}');
  const declared = new Map(set.lists.map((l) => [l.name, l.key]));
  const problems: string[] = [];
  for (const [name, values] of Object.entries(doc as Record<string, unknown>)) {
    const key = declared.get(name);
    if (key === undefined) {
      problems.push(`"${name}" is not a list of rule set ${set.version} (declared: ${[...declared.keys()].join(', ') || 'none'})`);
      continue;
    }
    if (!Array.isArray(values)) {
      problems.push(`"${name}" must be an array of strings`);
      continue;
    }
    const entries = new Map<string, true>();
    for (const v of values as unknown[]) {
      const why = typeof v === 'string' ? listValueError(key, v) : 'is not a string';
      if (why === null) entries.set(v as string, true);
      else problems.push(`"${name}": ${JSON.stringify(v)} ${why}`);
    }
    lists[name] = entries;
  }
  if (problems.length > 0) throw new BacktestInputError(problems.join('; '));
  return lists;
}
