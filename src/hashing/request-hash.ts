import * as crypto from 'node:crypto';
import { transactionSchema, type Transaction } from '../../features';

type Field = keyof Transaction;

/** The contract's transaction fields in canonical (sorted) order, fixed at start. */
export const TRANSACTION_FIELDS: readonly Field[] = (Object.keys(transactionSchema.properties) as Field[]).sort();
const FIELDS = TRANSACTION_FIELDS;
/** Each field's `"name":` prefix in canonical JSON, in {@link TRANSACTION_FIELDS} order. */
export const TRANSACTION_JSON_PREFIXES: readonly string[] = FIELDS.map((f) => `${JSON.stringify(f)}:`);
const PREFIXES = TRANSACTION_JSON_PREFIXES;

/** One-shot SHA-256 where node has it (20.12+), else a Hash object: chosen once. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * SHA-256 (hex) of a validated transaction's canonical JSON: two bodies with the same fields and
 * values hash equal whatever their key order or whitespace, so a retry is recognised as such.
 * The text hashed is exactly `canonicalJson(txn)` (keys sorted, undefined fields left out), built
 * from the contract's fixed field list instead of sorting each object's keys: a validated
 * transaction has no other fields (the schema forbids them).
 */
export function requestHash(txn: Transaction): string {
  let text = '{';
  for (let i = 0; i < FIELDS.length; i++) {
    const value = txn[FIELDS[i] as Field];
    if (value === undefined) continue;
    if (text.length > 1) text += ',';
    text += (PREFIXES[i] as string) + JSON.stringify(value);
  }
  return sha256Hex(`${text}}`);
}

/**
 * The {@link requestHash} of the transaction whose canonical JSON is `canonical` (keys sorted,
 * no whitespace, undefined fields left out): for a writer that already holds that text.
 */
export function requestHashOfCanonical(canonical: string): string {
  return sha256Hex(canonical);
}

/**
 * Whether two validated transactions are the same request: equal in every contract field (a field
 * absent from both counts as equal). Exactly when their canonical JSON, and so their
 * {@link requestHash}, is equal; without building either. A retry is recognised by this.
 */
export function sameTransaction(a: Transaction, b: Transaction): boolean {
  for (let i = 0; i < FIELDS.length; i++) {
    const f = FIELDS[i] as Field;
    if (a[f] !== b[f]) return false;
  }
  return true;
}
