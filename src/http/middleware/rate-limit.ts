import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.js';
import type { AppEnv } from '../env.js';

export interface RateLimitOptions {
  /** Requests per minute per token (a token bucket of this size, refilled evenly). */
  perMinute: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-token rate limiting for /v1, after authentication: each bearer token (a
 * PAT or a dashboard session token) has its own bucket, keyed by a hash so the
 * token is never kept. Over the limit: 429 with Retry-After (seconds). Buckets
 * live in this process; several Supaplane processes each allow the limit.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? Date.now;
  const capacity = options.perMinute;
  const perMs = capacity / 60_000;
  let lastSweep = now();
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const key = createHash('sha256').update(header).digest('base64url');
    const t = now();
    if (t - lastSweep > 60_000) {
      // A full bucket carries no information: drop those.
      for (const [k, b] of buckets)
        if (b.tokens + (t - b.at) * perMs >= capacity) buckets.delete(k);
      lastSweep = t;
    }
    const bucket = buckets.get(key) ?? { tokens: capacity, at: t };
    bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    buckets.set(key, bucket);
    c.header('X-RateLimit-Limit', String(capacity));
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      c.header('Retry-After', String(retryAfter));
      c.header('X-RateLimit-Remaining', '0');
      throw new AppError(
        'rate_limited',
        `Too many requests: at most ${capacity} per minute per token; retry in ${retryAfter} s`,
      );
    }
    bucket.tokens -= 1;
    c.header('X-RateLimit-Remaining', String(Math.floor(bucket.tokens)));
    await next();
  };
}
