import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BacktestInputError } from '../../../src/rules/backtest';
import { backtestLists } from '../../../src/rules/backtest-lists';
import { compileRuleSet } from '../../../src/rules/rule-set';

const SET = compileRuleSet(readFileSync(join(__dirname, '../../../models/rules.json'), 'utf8'));
const sizes = (lists: Record<string, ReadonlyMap<string, true>>) => Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, [...v.keys()]]));

describe('backtestLists', () => {
  it('gives every declared list, empty unless the file fills it', () => {
    expect(sizes(backtestLists(SET, null))).toEqual({ blocked_users: [], blocked_merchants: [], blocked_merchant_countries: [], blocked_mccs: [], allowed_users: [], review_merchants: [] });
    const lists = backtestLists(SET, JSON.stringify({ blocked_merchants: ['m1', 'm2'], blocked_merchant_countries: ['KP'] }));
    expect(sizes(lists)).toMatchObject({ blocked_merchants: ['m1', 'm2'], blocked_merchant_countries: ['KP'], blocked_users: [] });
    expect(lists.blocked_merchants?.get('m1')).toBe(true);
  });

  it('names every problem: an undeclared list, a value no transaction could hold, a value that is not a string', () => {
    const problem = (doc: unknown) => {
      try {
        backtestLists(SET, typeof doc === 'string' ? doc : JSON.stringify(doc));
      } catch (err) {
        expect(err).toBeInstanceOf(BacktestInputError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(problem({ blocked_merchant_countries: ['XX', 'FR', 'fr'], blocked_mccs: [5411], nope: [] })).toBe(
      '"blocked_merchant_countries": "XX" must be an ISO 3166-1 alpha-2 country code; ' +
        '"blocked_merchant_countries": "fr" must match ^[A-Z]{2}$ (a transaction\'s merchantCountry); ' +
        '"blocked_mccs": 5411 is not a string; ' +
        '"nope" is not a list of rule set 2026-12-07.1 (declared: blocked_users, blocked_merchants, blocked_merchant_countries, blocked_mccs, allowed_users, review_merchants)',
    );
    expect(problem({ blocked_users: 'u1' })).toBe('"blocked_users" must be an array of strings');
    expect(problem(['u1'])).toBe('must be a JSON object {"<list name>": ["value", ...]}');
    expect(problem('{')).toMatch(/^not JSON: /);
  });
});
