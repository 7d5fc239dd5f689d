import Ajv, { type ErrorObject } from 'ajv';
import { labelEventSchema, parseRfc3339, transactionSchema, type LabelEvent, type Transaction } from '../../features';

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

/** The event-contract validators, compiled once. */
export interface Validators {
  readonly transaction: Validator<Transaction>;
  readonly labelEvent: Validator<LabelEvent>;
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
      return { path: e.instancePath, message: 'must be an RFC 3339 date-time with a UTC offset, e.g. 2024-05-01T12:30:00Z' };
    case 'pattern':
      return {
        path: e.instancePath,
        message: e.instancePath === '/mcc' ? 'must be 4 digits' : 'must be 1-64 characters of A-Z a-z 0-9 . _ : -',
      };
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path: e.instancePath,
        message: allowed.length <= 8 ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` : `is not a known ${codeKind(e.instancePath)} code`,
      };
    }
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

function codeKind(path: string): string {
  return path === '/currency' ? 'ISO 4217 currency' : 'ISO 3166-1 alpha-2 country';
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
 * Compiles the transaction and label-event validators (call once at start-up). Both reject unknown
 * fields (including `__proto__`), wrong types, out-of-range values and non-RFC 3339 times, and
 * report every offending field.
 */
export function createValidators(): Validators {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: false });
  ajv.addFormat('rfc3339', { type: 'string', validate: (s: string) => parseRfc3339(s) !== null });
  return {
    transaction: wrap<Transaction>(ajv.compile(transactionSchema)),
    labelEvent: wrap<LabelEvent>(ajv.compile(labelEventSchema)),
  };
}
