import type { Client } from './scopes';

/** A token bucket's size: refill rate (requests per second) and capacity. */
export interface BucketLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, ms (the limiter's clock). */
  at: number;
  limit: BucketLimit;
}

/**
 * One token bucket per client name (per replica): a request takes a token; tokens come back at
 * `perSecond` up to `burst`. A client's own limit (from the clients file) wins over the default;
 * a default of null means clients without their own are not limited. Synchronous, no timers:
 * buckets are brought up to date when used. Memory: one small entry per client name seen.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly defaultLimit: BucketLimit | null,
    /** Monotonic clock, ms. */
    private readonly now: () => number,
  ) {}

  /** 0 when `client` may go ahead (a token taken), else the seconds until a token is back (> 0). */
  take(client: Client): number {
    const limit = client.rateLimit ?? this.defaultLimit;
    if (limit === null) return 0;
    const t = this.now();
    let b = this.buckets.get(client.name);
    if (b === undefined || b.limit.perSecond !== limit.perSecond || b.limit.burst !== limit.burst) {
      // A new client, or its limit changed (the clients file was reloaded): start full.
      b = { tokens: limit.burst, at: t, limit };
      this.buckets.set(client.name, b);
    } else {
      b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.perSecond);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return (1 - b.tokens) / limit.perSecond;
  }
}
