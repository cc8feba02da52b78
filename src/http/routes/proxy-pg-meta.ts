import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import type { Access } from '../../services/access.js';
import { resolveGateway } from '../../services/gateway.js';
import { hasDotSegment } from '../../services/gateway-path.js';
import type { AppEnv, Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { PROXY_TIMEOUTS, ProxyError, forward, proxied, readBody, relay } from '../proxy.js';

const PREFIX = '/platform/pg-meta/:ref';

/** pg-meta endpoints that only parse or format SQL, never touching the database. */
const SQL_TOOLS = new Set(['/query/format', '/query/parse', '/query/deparse', '/query/validate']);

/**
 * `/platform/pg-meta/{ref}/**` → `<gateway>/pg/**` (postgres-meta behind Kong, service
 * role only). Studio's `x-connection-encrypted` is dropped (the ref in the path picks
 * the database) and `x-pg-application-name` forwarded. SQL through `/query` can change
 * anything, so it needs write access like every other mutation.
 */
export function pgMetaProxyRoutes(deps: Deps, router: Router): void {
  router.use(`${PREFIX}/*`, requireAuth(deps));
  router.all(`${PREFIX}/*`, (c) => proxied(c, deps.log, () => proxyPgMeta(deps, c)));
}

async function proxyPgMeta(deps: Deps, c: Context<AppEnv>): Promise<Response> {
  const ref = c.req.param('ref') ?? '';
  const url = new URL(c.req.url);
  const sub = subPath(url.pathname, `/platform/pg-meta/${ref}`);
  const method = c.req.method;
  const access: Access =
    method === 'GET' || method === 'HEAD' || SQL_TOOLS.has(sub) ? 'read' : 'write';
  const gw = await resolveGateway(deps, { principal: c.get('principal'), ref, access });

  const body = await readBody(c.req.raw);
  let timeoutMs: number = PROXY_TIMEOUTS.defaultMs;
  if (method === 'POST' && sub === '/query') {
    const { disableStatementTimeout } = checkQueryBody(body);
    if (disableStatementTimeout) timeoutMs = PROXY_TIMEOUTS.longQueryMs;
  }
  const res = await forward(gw, {
    method,
    path: `/pg${sub}`,
    scope: '/pg/',
    search: url.search,
    callerHeaders: c.req.raw.headers,
    extraHeaders: ['x-pg-application-name'],
    body,
    timeoutMs,
    signal: c.req.raw.signal,
    requestId: c.get('requestId'),
  });
  return relay(gw, res);
}

/** Studio's RunQueryBody: `{ query, disable_statement_timeout?, parameters? }`. */
function checkQueryBody(body: Uint8Array | undefined): { disableStatementTimeout: boolean } {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(Buffer.from(body).toString('utf8')) : undefined;
  } catch {
    throw new ProxyError(400, 'validation', 'Request body is not valid JSON');
  }
  const query = (parsed as { query?: unknown } | undefined)?.query;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new ProxyError(400, 'validation', 'Invalid request: query: a non-empty SQL string');
  }
  return {
    disableStatementTimeout:
      (parsed as { disable_statement_timeout?: unknown }).disable_statement_timeout === true,
  };
}

/**
 * The part of `pathname` after `prefix`, e.g. `/tables`. Encoded dots, slashes and
 * backslashes are refused so that no path can climb out of `/pg/` at the gateway.
 */
export function subPath(pathname: string, prefix: string): string {
  const at = pathname.indexOf(prefix);
  const rest = at < 0 ? '' : pathname.slice(at + prefix.length);
  if (/%2e|%2f|%5c|\\/i.test(rest) || hasDotSegment(rest)) {
    throw new ProxyError(400, 'validation', 'Invalid path');
  }
  return rest === '' ? '/' : rest;
}
