/** Every scope a client can hold; routes ask for one each (feedback: the one of its source). */
export const SCOPES = ['score', 'feedback:user_confirmation', 'feedback:chargeback', 'feedback:analyst', 'decisions:read', 'lists:write', 'admin'] as const;

export type Scope = (typeof SCOPES)[number];

const KNOWN: ReadonlySet<string> = new Set(SCOPES);

/** True for a scope this service knows. */
export function isScope(s: string): s is Scope {
  return KNOWN.has(s);
}

/** A caller, once authenticated: its name (in records and logs) and what it may do. */
export interface Client {
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
  /** How it proved who it is. */
  readonly via: 'api_key' | 'jwt' | 'none';
  /** Its own token-bucket limit, requests per second and burst; null = the service's default. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number } | null;
}

/** The client every request is when AUTH=off: all scopes, no limit of its own. */
export const ANONYMOUS: Client = Object.freeze({ name: 'anonymous', scopes: new Set<Scope>(SCOPES), via: 'none', rateLimit: null });
