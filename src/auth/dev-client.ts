import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from './api-key';
import type { ClientsFile } from './clients-file';
import { SCOPES } from './scopes';

/** Where the development client lives in DATA_DIR. */
export function devClientPaths(dataDir: string): { readonly clients: string; readonly key: string } {
  return { clients: join(dataDir, 'dev-clients.json'), key: join(dataDir, 'dev-api-key') };
}

/**
 * The development client of a service started with authentication on and no client source
 * configured: a key with every scope, generated once into `DATA_DIR/dev-api-key` (mode 0600) with
 * its hash in `DATA_DIR/dev-clients.json`. Resolves to the clients file's path and, only when it
 * was just created, the key (for the start-up message: shown once).
 */
export function ensureDevClient(dataDir: string): { readonly clientsPath: string; readonly keyPath: string; readonly createdKey: string | null } {
  const paths = devClientPaths(dataDir);
  if (existsSync(paths.clients)) return { clientsPath: paths.clients, keyPath: paths.key, createdKey: null };
  mkdirSync(dataDir, { recursive: true });
  const key = generateApiKey();
  const file: ClientsFile = { clients: [{ name: 'development', scopes: [...SCOPES], keys: [hashApiKey(key)] }] };
  writeFileSync(paths.key, `${key}\n`, { mode: 0o600 });
  writeFileSync(paths.clients, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return { clientsPath: paths.clients, keyPath: paths.key, createdKey: key };
}
