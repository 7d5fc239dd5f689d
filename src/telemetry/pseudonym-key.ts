import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserIdInEvents, UserIdPolicy } from './user-id-field';

/** Shortest key accepted, bytes (HMAC-SHA256's block is 64; 32 random bytes are plenty). */
const MIN_KEY_BYTES = 32;

/**
 * The user-id policy of decision events: `pseudonym` with the key of `keyFile` (its contents,
 * trimmed, at least 32 bytes), or, without one, a random key generated once into
 * `DATA_DIR/pseudonym.key` (0600; `generated` tells the caller to warn: each replica would have
 * its own, so pseudonyms would not match across replicas). Throws naming a key file that is
 * missing or too short.
 */
export function userIdPolicy(mode: UserIdInEvents, keyFile: string | undefined, dataDir: string): { readonly policy: UserIdPolicy; readonly generated: string | null } {
  if (mode !== 'pseudonym') return { policy: { mode, keyHex: null }, generated: null };
  let path = keyFile;
  let generated: string | null = null;
  if (path === undefined) {
    path = join(dataDir, 'pseudonym.key');
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
      generated = path;
    }
  }
  let key: Buffer;
  try {
    key = Buffer.from(readFileSync(path, 'utf8').trim(), 'utf8');
  } catch (err) {
    throw new Error(`PSEUDONYM_KEY_FILE ${path}: ${(err as Error).message}`);
  }
  if (key.length < MIN_KEY_BYTES) throw new Error(`PSEUDONYM_KEY_FILE ${path}: the key must be at least ${MIN_KEY_BYTES} bytes, got ${key.length}`);
  return { policy: { mode, keyHex: key.toString('hex') }, generated };
}
