import type { MiddlewareHandler } from 'hono';
import type { ReadCache } from '../../cache/read-cache.js';

/** The methods that may write; the middleware below is registered for these only. */
export const WRITING_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * A client must read its own writes. Postgres notifications invalidate the read
 * cache too, but they may arrive after the answer has left and the client's next
 * GET has come in, so a request that may have written clears the cache before
 * its answer is sent. Data-page proxies' POSTs clear it as well: telling them
 * apart is not worth the refill it saves.
 */
export function clearReadCacheAfterWrites(cache: ReadCache): MiddlewareHandler {
  return async (_c, next) => {
    await next();
    cache.clear();
  };
}
