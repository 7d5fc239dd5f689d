import Ajv, { type ErrorObject } from 'ajv';
import { FORMAT_CHECKERS, hasReferenceRate, labelEventSchema, rateTableDate, REFERENCE_CURRENCY, transactionSchema, transactionTime, type LabelEvent, type Transaction } from '../../features';
import type { FromSchema } from 'json-schema-to-ts';

/** One schema violation, addressed by JSON Pointer (`/amountMinor`; `` for the whole document). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** A compiled validator: a type guard plus the violations of its last failed call. */
export interface Validator<T> {
  (value: unknown): value is T;
  /** Violations of the latest call that returned false, one per offending field. */
  errors(): readonly FieldError[];
}

/** A line of an event stream (NDJSON): the event plus its `type` tag. */
export type StreamTransaction = Transaction & { readonly type: 'transaction' };
export type StreamLabelEvent = LabelEvent & { readonly type: 'label' };

/** The event-contract validators, compiled once. */
export interface Validators {
  readonly transaction: Validator<Transaction>;
  readonly labelEvent: Validator<LabelEvent>;
  /** The same contracts with the stream's `type` tag allowed (and required). */
  readonly streamTransaction: Validator<StreamTransaction>;
  readonly streamLabelEvent: Validator<StreamLabelEvent>;
  /** The optional body of `PUT` / `DELETE /v1/lists/:list/:value`. */
  readonly listChange: Validator<ListChangeBody>;
}

/** The body of a list change: why (kept with the entry for audit). */
export const listChangeSchema = {
  $id: 'urn:fraud-scoring:list-change:v1',
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

export type ListChangeBody = FromSchema<typeof listChangeSchema>;

/** `schema` with a required `type` property whose value must be `tag`. */
function tagged<S extends { $id: string; required: readonly string[]; properties: object }>(schema: S, tag: string) {
  return { ...schema, $id: `${schema.$id}:stream`, required: [...schema.required, 'type'], properties: { ...schema.properties, type: { const: tag } } };
}

function describe(e: ErrorObject): FieldError {
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      return { path: `${e.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'is not an allowed field' };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return { path: `${e.instancePath}/${missing}`, message: 'is required' };
    }
    case 'format':
    case 'minLength':
    case 'maxLength':
      return { path: e.instancePath, message: formatMessage(e) };
    case 'pattern':
      return {
        path: e.instancePath,
        message: e.instancePath === '/mcc' ? 'must be 4 digits' : 'must be 1-64 characters of A-Z a-z 0-9 . _ : -',
      };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path: e.instancePath,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

const FORMAT_MESSAGES: Readonly<Record<string, string>> = {
  rfc3339: 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z',
  iso4217: 'is not a known ISO 4217 currency code',
  'iso3166-alpha2': 'is not a known ISO 3166-1 alpha-2 country code',
};

function formatMessage(e: ErrorObject): string {
  const format = (e.parentSchema as { format?: string } | undefined)?.format;
  if (format !== undefined) return FORMAT_MESSAGES[format] ?? `must match format ${format}`;
  return e.message ?? 'is invalid';
}

interface CompiledSchema {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

function wrap<T>(fn: CompiledSchema): Validator<T> {
  const v = ((value: unknown): value is T => fn(value)) as Validator<T>;
  v.errors = () => {
    const seen = new Set<string>();
    const out: FieldError[] = [];
    for (const e of fn.errors ?? []) {
      const d = describe(e);
      // One message per field: ajv may report several keywords for the same value.
      if (seen.has(d.path)) continue;
      seen.add(d.path);
      out.push(d);
    }
    return out;
  };
  return v;
}

/**
 * `v`, also refusing a transaction whose currency has no rate in the reference-rate table on its
 * event date (its amount could not be made comparable with the customer's others).
 */
function withReferenceRate<T extends Transaction>(v: Validator<T>): Validator<T> {
  let rateError: FieldError | null = null;
  const checked = ((value: unknown): value is T => {
    rateError = null;
    if (!v(value)) return false;
    const t = transactionTime(value);
    if (hasReferenceRate(value.currency, t)) return true;
    rateError = { path: '/currency', message: `has no rate to ${REFERENCE_CURRENCY} in the reference-rate table in force on that date (from ${rateTableDate(t)}); see features/currency-rates.ts` };
    return false;
  }) as Validator<T>;
  checked.errors = () => (rateError === null ? v.errors() : [rateError]);
  return checked;
}

/**
 * Compiles the transaction and label-event validators (call once at start-up). Both reject unknown
 * fields (including `__proto__`), wrong types, out-of-range values and non-RFC 3339 times, and
 * report every offending field; a transaction's currency must have a reference rate on its date.
 */
export function createValidators(): Validators {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: false, verbose: true });
  for (const [name, validate] of Object.entries(FORMAT_CHECKERS)) ajv.addFormat(name, { type: 'string', validate });
  return {
    transaction: withReferenceRate(wrap<Transaction>(ajv.compile(transactionSchema))),
    labelEvent: wrap<LabelEvent>(ajv.compile(labelEventSchema)),
    streamTransaction: withReferenceRate(wrap<StreamTransaction>(ajv.compile(tagged(transactionSchema, 'transaction')))),
    streamLabelEvent: wrap<StreamLabelEvent>(ajv.compile(tagged(labelEventSchema, 'label'))),
    listChange: wrap<ListChangeBody>(ajv.compile(listChangeSchema)),
  };
}
