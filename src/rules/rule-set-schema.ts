import type { FromSchema } from 'json-schema-to-ts';
import { ID_PATTERN } from '../../features';

/**
 * The transaction fields a list can be keyed on, each with the pattern its values must match (the
 * transaction contract's own): a list entry that could never equal a transaction's field is refused.
 */
export const LIST_KEYS = {
  userId: ID_PATTERN,
  merchantId: ID_PATTERN,
  merchantCountry: '^[A-Z]{2}$',
  mcc: '^[0-9]{4}$',
} as const;

export type ListKey = keyof typeof LIST_KEYS;

const DECISIONS = ['approve', 'challenge', 'decline'] as const;

/** A list's or a rule's name: lower case, digits, `_` (lists) or `_`/`-` (rules). */
export const LIST_NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const RULE_ID_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';

/**
 * A guard-rail rule set, the file RULES_FILE names. `lists` declares the allow and block lists the
 * rules may read (their entries live in the shared store and change through the lists API);
 * `rules` are evaluated in file order, each a CEL expression (`when`) and an outcome: `force` sets
 * the decision, `floor` raises the model's decision to at least that one (see docs/rules.md for
 * the variables and the precedence).
 */
export const ruleSetSchema = {
  $id: 'urn:fraud-scoring:rule-set:v1',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'lists', 'rules'],
  properties: {
    version: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    description: { type: 'string', maxLength: 2000 },
    lists: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'key'],
        properties: {
          name: { type: 'string', pattern: LIST_NAME_PATTERN },
          key: { type: 'string', enum: Object.keys(LIST_KEYS) as ListKey[] },
          description: { type: 'string', maxLength: 500 },
        },
      },
    },
    rules: {
      type: 'array',
      maxItems: 256,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'when', 'outcome'],
        properties: {
          id: { type: 'string', pattern: RULE_ID_PATTERN },
          description: { type: 'string', maxLength: 500 },
          when: { type: 'string', minLength: 1, maxLength: 4000 },
          /** Exactly one of `force` (the decision) and `floor` (the least strict decision allowed). */
          outcome: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            maxProperties: 1,
            properties: { force: { type: 'string', enum: DECISIONS }, floor: { type: 'string', enum: ['challenge', 'decline'] } },
          },
          enabled: { type: 'boolean', default: true },
        },
      },
    },
  },
} as const;

/** A rule set file as parsed and validated. */
export type RuleSetFile = FromSchema<typeof ruleSetSchema>;

export type RuleDefinition = RuleSetFile['rules'][number];

export type ListDefinition = RuleSetFile['lists'][number];
