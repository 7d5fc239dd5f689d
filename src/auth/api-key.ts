import { createHash, randomBytes } from 'node:crypto';

/** Prefix of keys this service generates (makes a leaked key easy to find by secret scanners). */
const KEY_PREFIX = 'fsk_';

/** A new API key: the prefix and 32 random bytes, base64url (256 bits of entropy). */
export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * How a key is stored: `sha256:<hex>`. A plain hash suffices because keys are random 256-bit
 * strings (nothing to brute-force); the file never holds a key itself.
 */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
