import { hashApiKey } from './api-key';
import type { ClientsByKeyHash } from './clients-file';
import type { JwtClients } from './jwt-clients';
import type { ReloadingFile } from './reloading-file';
import { ANONYMOUS, type Client } from './scopes';

/** What authenticating a request gives: its client, or why it has none (a 401). */
export type AuthOutcome = { readonly kind: 'ok'; readonly client: Client } | { readonly kind: 'unauthenticated'; readonly message: string };

/** Who is calling, from the request's `Authorization` header. */
export interface Authenticator {
  /** False when AUTH=off: every request is {@link ANONYMOUS}. */
  readonly enabled: boolean;
  /** Synchronous for API keys (the scoring path), a promise for JWTs. Never throws or rejects. */
  authenticate(authorization: string | undefined): AuthOutcome | Promise<AuthOutcome>;
  close(): void;
}

const BEARER = /^Bearer +([^\s]+) *$/i;
/** Valid API keys remembered by the authenticator, at most (clients seldom hold more than a few). */
const KNOWN_KEYS = 256;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const OPEN: AuthOutcome = Object.freeze({ kind: 'ok', client: ANONYMOUS });
const MISSING: AuthOutcome = Object.freeze({ kind: 'unauthenticated', message: 'credentials are required: send "Authorization: Bearer <API key or token>"' });
const MALFORMED: AuthOutcome = Object.freeze({ kind: 'unauthenticated', message: 'the Authorization header must be "Bearer <API key or token>"' });
const UNKNOWN_KEY: AuthOutcome = Object.freeze({ kind: 'unauthenticated', message: 'the API key is not valid' });
const NO_JWT: AuthOutcome = Object.freeze({ kind: 'unauthenticated', message: 'bearer tokens are not accepted here (no AUTH_JWKS_FILE): use an API key' });

/** Authentication off: every request is the anonymous client with every scope. */
export const AUTH_OFF: Authenticator = Object.freeze({ enabled: false, authenticate: () => OPEN, close: () => undefined });

/**
 * Authentication by API key (a clients file, keys stored as hashes, reloaded when it changes)
 * and/or by JWT (JwtClients). A bearer value shaped like a JWT goes to the JWT verifier, anything
 * else is looked up as an API key by its hash.
 */
export function createAuthenticator(sources: { readonly apiKeys: ReloadingFile<ClientsByKeyHash> | null; readonly jwt: JwtClients | null }): Authenticator {
  const { apiKeys, jwt } = sources;
  /**
   * Keys that were valid under `knownFor` (the clients map they were checked against), by the key
   * itself: a caller sends the same key on every request, which then costs one `Map` look-up
   * instead of a SHA-256 (docs/performance.md). Contract: holds valid keys only (an
   * invalid one is hashed every time, so guessing cannot fill it), at most KNOWN_KEYS of them, and
   * is emptied whenever the clients file is reloaded, so a removed key stops working at once.
   */
  let known = new Map<string, Client>();
  let knownFor: ClientsByKeyHash | null = null;
  const byKey = (key: string): Client | undefined => {
    const clients = apiKeys?.value();
    if (clients === undefined) return undefined;
    if (clients !== knownFor) {
      known = new Map();
      knownFor = clients;
    }
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const client = clients.get(hashApiKey(key));
    if (client !== undefined && known.size < KNOWN_KEYS) known.set(key, client);
    return client;
  };
  return {
    enabled: true,
    authenticate(authorization) {
      if (authorization === undefined || authorization === '') return MISSING;
      const m = BEARER.exec(authorization);
      if (m === null) return MALFORMED;
      const token = m[1] as string;
      if (JWT_SHAPE.test(token)) {
        if (jwt === null) return NO_JWT;
        return jwt.verify(token).then((r): AuthOutcome => ('client' in r ? { kind: 'ok', client: r.client } : { kind: 'unauthenticated', message: r.refused }));
      }
      const client = byKey(token);
      return client === undefined ? UNKNOWN_KEY : { kind: 'ok', client };
    },
    close() {
      apiKeys?.close();
      jwt?.close();
    },
  };
}
