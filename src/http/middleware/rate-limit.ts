import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../../context.js';
import { AppError } from '../../errors.js';
import { shareLookupsWithinRequest } from '../../members/access.js';
import { authenticateBearer, bearerToken } from '../../identity/authentication.js';
import { answerHeader } from '../answer-headers.js';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';

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
 * Per-token rate limiting for the Management API budget. Each verified identity has
 * its own bucket: a dashboard session by its id, a personal access token by a hash of
 * the token itself (never the raw header, whose spelling — `bearer`, extra spaces —
 * the caller chooses: security audit 18.4). One limiter serves /v1 (every caller) and
 * /platform/** (personal access tokens only, which reach those routes too), so a
 * PAT has one budget wherever it is used. Over the limit: 429 with Retry-After.
 * Buckets live in this process; several Supaplane processes each allow the limit.
 */
export function tokenRateLimiter(deps: Pick<Deps, 'db' | 'authKey'>, options: RateLimitOptions) {
  const take = tokenBuckets(options);
  /** /v1: after requireAuth, every principal. */
  const everyCaller: MiddlewareHandler<AppEnv> = async (c, next) => {
    take(c, identityKey(c.get('principal'), requestHeader(c, 'authorization')));
    await next();
  };
  /**
   * /platform/**: counts a request carrying a personal access token (a promise), and
   * only that: undefined for any other request, which costs it no promise. Called by
   * the /platform layer (scope-guard.ts) before its scope check.
   */
  const accessTokens = (c: Context<AppEnv>): Promise<void> | undefined => {
    const header = requestHeader(c, 'authorization');
    if (!bearerToken(header)?.startsWith('sbp_')) return undefined;
    return (async () => {
      // A bad token is the route's to refuse (some routes need no token at all).
      const principal =
        c.get('principal') ?? (await authenticateBearer(deps, header).catch(() => undefined));
      if (principal) {
        // As the scope guard does: a read's membership checks may share one lookup.
        if (c.req.method === 'GET' || c.req.method === 'HEAD') shareLookupsWithinRequest(principal);
        c.set('principal', principal);
        take(c, identityKey(principal, header));
      }
    })();
  };
  return { everyCaller, accessTokens };
}

function identityKey(principal: Principal, header: string | undefined): string {
  if (principal.via === 'session' && principal.sessionId) return `session:${principal.sessionId}`;
  const token = bearerToken(header) ?? '';
  return `token:${createHash('sha256').update(token).digest('base64url')}`;
}

function tokenBuckets(options: RateLimitOptions) {
  const buckets = new Map<string, Bucket>();
  const now = options.now ?? Date.now;
  const capacity = options.perMinute;
  const perMs = capacity / 60_000;
  let lastSweep = now();
  return (c: Context<AppEnv>, key: string): void => {
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
    answerHeader(c, 'X-RateLimit-Limit', String(capacity));
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      answerHeader(c, 'Retry-After', String(retryAfter));
      answerHeader(c, 'X-RateLimit-Remaining', '0');
      throw new AppError(
        'rate_limited',
        `Too many requests: at most ${capacity} per minute per token; retry in ${retryAfter} s`,
      );
    }
    bucket.tokens -= 1;
    answerHeader(c, 'X-RateLimit-Remaining', String(Math.floor(bucket.tokens)));
  };
}
