import { generateApiKey, hashApiKey } from '../../../src/auth/api-key';
import { createAuthenticator, type AuthOutcome } from '../../../src/auth/authenticator';
import type { ClientsByKeyHash } from '../../../src/auth/clients-file';
import type { ReloadingFile } from '../../../src/auth/reloading-file';
import type { Client } from '../../../src/auth/scopes';

/** A clients map that counts look-ups by hash. */
class CountingClients extends Map<string, Client> {
  lookups = 0;
  override get(hash: string): Client | undefined {
    this.lookups++;
    return super.get(hash);
  }
}

const client = (name: string): Client => ({ name, scopes: new Set(['score']), via: 'api_key', rateLimit: null });

function fileOf(initial: ClientsByKeyHash) {
  let current = initial;
  const file = { value: () => current, close: () => undefined } as unknown as ReloadingFile<ClientsByKeyHash>;
  return { file, reload: (next: ClientsByKeyHash) => (current = next) };
}

const nameOf = (o: AuthOutcome | Promise<AuthOutcome>) => {
  if (o instanceof Promise) throw new Error('an API key is checked synchronously');
  return o.kind === 'ok' ? o.client.name : o.message;
};

describe('API-key authentication', () => {
  const key = generateApiKey();
  const other = generateApiKey();

  it('checks a key by its hash once, remembers it while the clients file is unchanged, and forgets it on a reload', () => {
    const clients = new CountingClients([[hashApiKey(key), client('payments')]]);
    const { file, reload } = fileOf(clients);
    const auth = createAuthenticator({ apiKeys: file, jwt: null });
    for (let i = 0; i < 100; i++) expect(nameOf(auth.authenticate(`Bearer ${key}`))).toBe('payments');
    expect(clients.lookups).toBe(1);
    // Invalid keys are looked up every time: guessing never fills the memory.
    for (let i = 0; i < 10; i++) expect(nameOf(auth.authenticate(`Bearer ${other}`))).toBe('the API key is not valid');
    expect(clients.lookups).toBe(11);
    // The key removed from the file stops working at the next request.
    reload(new CountingClients([[hashApiKey(other), client('rotated')]]));
    expect(nameOf(auth.authenticate(`Bearer ${key}`))).toBe('the API key is not valid');
    expect(nameOf(auth.authenticate(`Bearer ${other}`))).toBe('rotated');
  });

  it('names what is wrong with the header', () => {
    const auth = createAuthenticator({ apiKeys: fileOf(new Map()).file, jwt: null });
    expect(nameOf(auth.authenticate(undefined))).toMatch(/^credentials are required/);
    expect(nameOf(auth.authenticate(`Basic ${key}`))).toMatch(/^the Authorization header must be "Bearer/);
    expect(nameOf(auth.authenticate('Bearer a.b.c'))).toBe('bearer tokens are not accepted here (no AUTH_JWKS_FILE): use an API key');
  });
});
