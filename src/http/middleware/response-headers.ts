import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { Config } from '../../config/config.js';
import type { AppEnv } from '../env.js';
import { studioCors } from './cors.js';

/**
 * What every answer carries: the request id (the caller's, or a new one, also
 * used by the logs) and Studio's CORS headers. One middleware sets both, so the
 * hottest reads pay for one layer and one check of the finished response.
 */
export function everyResponseHeaders(
  config: Pick<Config, 'SUPAPLANE_STUDIO_ORIGINS'>,
): MiddlewareHandler<AppEnv> {
  const cors = studioCors(config);
  return async (c, next) => {
    const requestId = c.req.header('x-request-id') ?? randomUUID();
    c.set('requestId', requestId);
    const headers = cors.headers(c.req.header('origin'));
    headers.push(['x-request-id', requestId]);
    if (c.req.method === 'OPTIONS') return cors.preflight(c, headers);
    await withResponseHeaders(c, next, headers);
  };
}

/**
 * Puts `headers` on whatever response the request ends with. They are set before
 * the handler, where Hono adds them to c.json/c.body answers for free; touching
 * a finished response instead makes @hono/node-server build a full undici
 * Response (about 8% of the CPU of a project read). Handlers that return a
 * Response of their own (the data-page proxies) skip Hono's prepared headers, so
 * those get the missing ones afterwards, at the cost of one copy.
 */
export async function withResponseHeaders(
  c: Context,
  next: Next,
  headers: readonly (readonly [string, string])[],
): Promise<void> {
  for (const [name, value] of headers) c.header(name, value);
  await next();
  const missing = headers.filter(([name]) => !c.res.headers.has(name));
  if (missing.length === 0) return;
  const res = new Response(c.res.body, c.res);
  for (const [name, value] of missing) res.headers.set(name, value);
  c.res = res;
}
