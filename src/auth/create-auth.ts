import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { AUTH_OFF, createAuthenticator, type Authenticator } from './authenticator';
import { parseClientsFile } from './clients-file';
import { ensureDevClient } from './dev-client';
import { JwtClients } from './jwt-clients';
import { RateLimiter } from './rate-limiter';
import { ReloadingFile } from './reloading-file';

/** Authentication and rate limiting as the configuration asks. */
export interface Auth {
  readonly authenticator: Authenticator;
  readonly rateLimiter: RateLimiter;
}

/**
 * Builds authentication from the config (AUTH, AUTH_CLIENTS_FILE, AUTH_JWKS_FILE, ...): off (with a
 * warning), API keys and/or JWTs, or, with neither source configured, the development client of
 * DATA_DIR (its key file's path is logged, never the key). Throws naming a client or JWKS file
 * that cannot be read or parsed. `onError`: a reloaded file that does not parse (the previous
 * contents stay in force).
 */
export function createAuth(config: Config, logger: Logger, onError: (what: string, err: unknown) => void): Auth {
  const perSecond = config.RATE_LIMIT_PER_SECOND;
  const rateLimiter = new RateLimiter(perSecond > 0 ? { perSecond, burst: config.RATE_LIMIT_BURST ?? perSecond } : null, () => performance.now());
  if (config.AUTH === 'off') {
    logger.warn('AUTH=off: every API route is open to anyone who can reach the service (scores, labels, decisions)');
    return { authenticator: AUTH_OFF, rateLimiter };
  }
  const reload = { intervalMs: config.AUTH_RELOAD_INTERVAL_MS, onError: (err: Error) => onError('auth file reload', err) };
  let clientsPath = config.AUTH_CLIENTS_FILE ?? null;
  if (clientsPath === null && config.AUTH_JWKS_FILE === undefined) {
    const dev = ensureDevClient(config.DATA_DIR);
    clientsPath = dev.clientsPath;
    const keyPath = relative(process.cwd(), dev.keyPath) || dev.keyPath;
    logger.warn(
      { keyFile: dev.keyPath, created: dev.createdKey !== null },
      `no AUTH_CLIENTS_FILE or AUTH_JWKS_FILE: using the development client (every scope); its API key is in ${keyPath}. ` +
        `Send it as: curl -H "Authorization: Bearer $(cat ${keyPath})" ... Configure real clients before production (README, Security)`,
    );
  }
  const apiKeys = clientsPath === null ? null : ReloadingFile.load({ path: clientsPath, parse: parseClientsFile, ...reload });
  const jwt =
    config.AUTH_JWKS_FILE === undefined
      ? null
      : new JwtClients({ jwksPath: config.AUTH_JWKS_FILE, issuer: config.AUTH_JWT_ISSUER as string, audience: config.AUTH_JWT_AUDIENCE as string, reloadIntervalMs: config.AUTH_RELOAD_INTERVAL_MS, onError: reload.onError });
  return { authenticator: createAuthenticator({ apiKeys, jwt }), rateLimiter };
}
