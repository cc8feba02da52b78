import type { MiddlewareHandler } from 'hono';
import { SlidingWindowCounter } from '../../auth/login-rate-limit.js';
import type { Config } from '../../config/config.js';
import { AppError } from '../../errors.js';
import { clientAddress } from '../client-address.js';
import { answerHeader } from '../answer-headers.js';
import type { AppEnv } from '../env.js';

/**
 * Per-client limits for the routes anyone may call without a token (sign-in,
 * refresh, sign-up, password reset), by the address from client-address.ts. Behind a
 * reverse proxy, set SUPAPLANE_TRUSTED_PROXIES, or every client shares the proxy's.
 */

/**
 * At most `max` requests in flight per client address: each of these routes costs an
 * scrypt hash (~100 ms of CPU and 32 MiB), so one client sending many at once would
 * starve everyone else. Over the cap: 429 with a message, before any work is done.
 */
export function inFlightCap(config: Config, max: number): MiddlewareHandler<AppEnv> {
  const inFlight = new Map<string, number>();
  return async (c, next) => {
    const address = clientAddress(c, config.SUPAPLANE_TRUSTED_PROXIES);
    const now = inFlight.get(address) ?? 0;
    if (now >= max) {
      answerHeader(c, 'Retry-After', '1');
      throw new AppError(
        'rate_limited',
        `Too many requests in progress from this client (at most ${max} at once); retry shortly`,
      );
    }
    inFlight.set(address, now + 1);
    try {
      await next();
    } finally {
      const left = (inFlight.get(address) ?? 1) - 1;
      if (left > 0) inFlight.set(address, left);
      else inFlight.delete(address);
    }
  };
}

/** At most `limit` requests per client address within `windowMs`, whatever their outcome. */
export function requestsPerWindow(
  config: Config,
  what: string,
  limit: number,
  windowMs: number,
): MiddlewareHandler<AppEnv> {
  const counter = new SlidingWindowCounter(limit, windowMs);
  return async (c, next) => {
    const address = clientAddress(c, config.SUPAPLANE_TRUSTED_PROXIES);
    const wait = counter.waitMs(address);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      answerHeader(c, 'Retry-After', String(seconds));
      throw new AppError(
        'rate_limited',
        `Too many ${what} requests from this client; try again in ${seconds} seconds`,
      );
    }
    counter.record(address);
    await next();
  };
}
