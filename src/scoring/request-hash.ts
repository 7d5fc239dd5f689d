import { createHash } from 'node:crypto';
import { canonicalJson, type Transaction } from '../../features';

/**
 * SHA-256 (hex) of a validated transaction's canonical JSON: two bodies with the same fields and
 * values hash equal whatever their key order or whitespace, so a retry is recognised as such.
 */
export function requestHash(txn: Transaction): string {
  return createHash('sha256').update(canonicalJson(txn)).digest('hex');
}
