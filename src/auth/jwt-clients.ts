import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { isScope, type Client, type Scope } from './scopes';
import { ReloadingFile } from './reloading-file';

/** Signature algorithms accepted: asymmetric only (a shared-secret HS256 key in a JWKS file would be a secret on disk). */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JwtClientsOptions {
  /** A JWKS document (public keys), reloaded when it changes. */
  readonly jwksPath: string;
  readonly issuer: string;
  readonly audience: string;
  readonly reloadIntervalMs: number;
  readonly onError: (err: Error) => void;
  /** Clock skew tolerated on `exp` / `nbf`, seconds. */
  readonly clockToleranceS?: number;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

function parseJwks(text: string): KeySet {
  const doc = JSON.parse(text) as JSONWebKeySet;
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw new Error('not a JWKS document: "keys" must be a non-empty array');
  return createLocalJWKSet(doc);
}

/** The client a verified token names: `client_id`, else `azp`, else `sub`; scopes from `scope` (space-separated) or `scp`. */
function clientOf(payload: JWTPayload): Client | null {
  const name = [payload.client_id, payload.azp, payload.sub].find((v): v is string => typeof v === 'string' && v !== '');
  if (name === undefined) return null;
  const raw = typeof payload.scope === 'string' ? payload.scope.split(' ') : Array.isArray(payload.scp) ? payload.scp : [];
  const scopes = new Set<Scope>(raw.filter((s): s is Scope => typeof s === 'string' && isScope(s)));
  return { name, scopes, via: 'jwt', rateLimit: null };
}

/**
 * Bearer JWTs verified against a JWKS file (jose): signature by a key of the set (asymmetric
 * algorithms only), `iss` and `aud` as configured, `exp`/`nbf` with a small tolerance.
 */
export class JwtClients {
  private readonly keys: ReloadingFile<KeySet>;

  constructor(private readonly opts: JwtClientsOptions) {
    this.keys = ReloadingFile.load({ path: opts.jwksPath, parse: parseJwks, intervalMs: opts.reloadIntervalMs, onError: opts.onError });
  }

  /** The token's client, or the reason it is refused (never throws). */
  async verify(token: string): Promise<{ readonly client: Client } | { readonly refused: string }> {
    try {
      const { payload } = await jwtVerify(token, this.keys.value(), {
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.opts.clockToleranceS ?? 30,
      });
      const client = clientOf(payload);
      return client === null ? { refused: 'the token names no client (client_id, azp or sub)' } : { client };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) return { refused: 'the token has expired' };
      if (err instanceof joseErrors.JOSEError) return { refused: 'the token is not valid' };
      return { refused: 'the token is not valid' };
    }
  }

  close(): void {
    this.keys.close();
  }
}
