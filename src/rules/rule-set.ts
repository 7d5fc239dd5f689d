import { Environment } from '@marcbachmann/cel-js';
import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { canonicalJson, COUNTRY_CODES, FEATURE_NAMES, referenceCents, transactionTime, type Transaction } from '../../features';
import type { Decision } from '../records/decision-record';
import { LIST_KEYS, ruleSetSchema, type ListDefinition, type ListKey, type RuleSetFile } from './rule-set-schema';

/** A rule's effect when it hits: set the decision, or raise the model's to at least this one. */
export type RuleOutcome = { readonly force: Decision } | { readonly floor: 'challenge' | 'decline' };

/** One compiled rule. */
export interface Rule {
  readonly id: string;
  readonly description: string;
  readonly when: string;
  readonly outcome: RuleOutcome;
  /** True when its `when` holds for `input` (a runtime error throws; see {@link RuleSet.evaluate}). */
  readonly test: (input: RuleActivation) => boolean;
}

/** A list's entries as rules read them: value → true (a CEL `map<string, bool>`; `in` is a key look-up). */
export type ListEntries = ReadonlyMap<string, true>;

/**
 * What a rule's expression sees (CEL variables; see docs/rules.md): the transaction (absent
 * optional fields read as ""), `amount` (the amount in the reference currency's minor units at
 * the event date's rate), every feature by name (NaN = missing: every comparison with it is
 * false), the model's score (NaN when no model scored) and decision, whether the answer is
 * degraded, and every declared list.
 */
export interface RuleActivation {
  readonly txn: Readonly<Record<(typeof TXN_FIELDS)[number], string | number>>;
  readonly amount: number;
  readonly features: Readonly<Record<string, number>>;
  readonly score: number;
  readonly scored: boolean;
  readonly decision: Decision;
  readonly degraded: boolean;
  readonly lists: Readonly<Record<string, ListEntries>>;
}

/** The transaction fields rules read, all strings but `amountMinor` (a double). */
const TXN_FIELDS = ['transactionId', 'userId', 'merchantId', 'amountMinor', 'currency', 'channel', 'mcc', 'merchantCountry', 'userCountry'] as const;

/** A compiled, checked rule set. */
export interface RuleSet {
  readonly version: string;
  /** SHA-256 (hex) of the file's canonical JSON: two files that parse the same share it. */
  readonly hash: string;
  readonly lists: readonly ListDefinition[];
  readonly rules: readonly Rule[];
}

const validateFile = new Ajv({ allErrors: true, strict: false, useDefaults: true }).compile<RuleSetFile>(ruleSetSchema);

const COUNTRIES: ReadonlySet<string> = new Set(COUNTRY_CODES);

/** Why `value` can never be a transaction's `key` field, or null when it can. */
export function listValueError(key: ListKey, value: string): string | null {
  if (!new RegExp(LIST_KEYS[key]).test(value)) return `must match ${LIST_KEYS[key]} (a transaction's ${key})`;
  if (key === 'merchantCountry' && !COUNTRIES.has(value)) return 'must be an ISO 3166-1 alpha-2 country code';
  return null;
}

function environment(lists: readonly ListDefinition[]): Environment {
  const txn: Record<string, string> = {};
  for (const f of TXN_FIELDS) txn[f] = f === 'amountMinor' ? 'double' : 'string';
  const features: Record<string, string> = {};
  for (const name of FEATURE_NAMES) features[name] = 'double';
  const listSchema: Record<string, string> = {};
  for (const l of lists) listSchema[l.name] = 'map<string, bool>';
  const env = new Environment({ limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 } })
    .registerVariable({ name: 'txn', schema: txn })
    .registerVariable('amount', 'double')
    .registerVariable({ name: 'features', schema: features })
    .registerVariable('score', 'double')
    .registerVariable('scored', 'bool')
    .registerVariable('decision', 'string')
    .registerVariable('degraded', 'bool');
  // An empty schema is not a type: a set without lists has no `lists` variable at all.
  return lists.length === 0 ? env : env.registerVariable({ name: 'lists', schema: listSchema });
}

/** The first line of a CEL error (its message; the rest is a caret drawing). */
function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0] as string;
}

/**
 * Parses, validates and compiles a rule set file's text. Throws an Error naming every problem
 * found in the first failing stage: invalid JSON, the schema (`/rules/2/outcome ...`), duplicate
 * list names or rule ids, and a `when` that does not parse or type-check to a bool (`rule "x":
 * Unknown variable: foo`).
 */
export function compileRuleSet(text: string): RuleSet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`rule set is not JSON: ${(err as Error).message}`);
  }
  if (!validateFile(doc)) {
    const problems = (validateFile.errors ?? []).map((e) => {
      const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')})` : '';
      const property = e.keyword === 'additionalProperties' ? ` ("${String((e.params as { additionalProperty: unknown }).additionalProperty)}")` : '';
      return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${allowed}${property}`;
    });
    throw new Error(`rule set is invalid: ${[...new Set(problems)].join('; ')}`);
  }
  const file = doc;
  const problems: string[] = [];
  const seen = (names: readonly string[], what: string): void => {
    const dup = names.filter((n, i) => names.indexOf(n) !== i);
    for (const d of new Set(dup)) problems.push(`${what} "${d}" is declared twice`);
  };
  seen(file.lists.map((l) => l.name), 'list');
  seen(file.rules.map((r) => r.id), 'rule');
  const env = environment(file.lists);
  const rules: Rule[] = [];
  for (const r of file.rules) {
    let test: Rule['test'];
    try {
      const parsed = env.parse(r.when);
      const checked = parsed.check();
      if (!checked.valid) throw checked.error;
      if (checked.type !== 'bool') throw new Error(`the expression is a ${String(checked.type)}, not a bool`);
      test = parsed as unknown as Rule['test'];
    } catch (err) {
      problems.push(`rule "${r.id}": ${firstLine(err)}`);
      continue;
    }
    if (r.enabled === false) continue;
    const outcome: RuleOutcome = r.outcome.force !== undefined ? { force: r.outcome.force } : { floor: r.outcome.floor as 'challenge' | 'decline' };
    rules.push({ id: r.id, description: r.description ?? '', when: r.when, outcome, test });
  }
  if (problems.length > 0) throw new Error(`rule set is invalid: ${problems.join('; ')}`);
  return {
    version: file.version,
    hash: createHash('sha256').update(canonicalJson(file)).digest('hex'),
    lists: file.lists,
    rules,
  };
}

/** The inputs a rule set is evaluated on besides the lists. */
export interface RuleInput {
  readonly txn: Transaction;
  readonly features: ArrayLike<number>;
  /** The model's score; null when no model scored. */
  readonly score: number | null;
  /** The model's decision (after the degraded policy). */
  readonly decision: Decision;
  readonly degraded: boolean;
}

/**
 * The CEL variables of `input` (one object per evaluation; the lists are shared, never copied).
 * `features` is built when a rule first reads it: a rule set that never names it (the default
 * one) costs no map of every feature per request.
 */
export function activationOf(input: RuleInput, lists: Readonly<Record<string, ListEntries>>): RuleActivation {
  const t = input.txn;
  let features: Record<string, number> | null = null;
  return {
    txn: {
      transactionId: t.transactionId,
      userId: t.userId,
      merchantId: t.merchantId,
      amountMinor: t.amountMinor,
      currency: t.currency,
      channel: t.channel ?? '',
      mcc: t.mcc ?? '',
      merchantCountry: t.merchantCountry ?? '',
      userCountry: t.userCountry ?? '',
    },
    amount: referenceCents(t.amountMinor, t.currency, transactionTime(t)),
    get features() {
      if (features === null) {
        features = {};
        for (let i = 0; i < FEATURE_NAMES.length; i++) features[FEATURE_NAMES[i] as string] = input.features[i] as number;
      }
      return features;
    },
    score: input.score ?? Number.NaN,
    scored: input.score !== null,
    decision: input.decision,
    degraded: input.degraded,
    lists,
  };
}
