import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import { readOnlyQuery } from '../../database/read-only-sql.js';
import { requireProject, roleAllows, type Access } from '../../members/access.js';
import { resolveGateway } from '../../gateway/gateway.js';
import { hasDotSegment } from '../../gateway/gateway-path.js';
import type { AppEnv, Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { PROXY_TIMEOUTS, ProxyError, forward, proxied, readBody, relay } from './forward.js';

const PREFIX = '/platform/pg-meta/:ref';

/** pg-meta endpoints that only parse or format SQL, never touching the database. */
const SQL_TOOLS = new Set(['/query/format', '/query/parse', '/query/deparse', '/query/validate']);

/**
 * `/platform/pg-meta/{ref}/**` → `<gateway>/pg/**` (postgres-meta behind Kong, service
 * role only). Studio's `x-connection-encrypted` is dropped (the ref in the path picks
 * the database) and `x-pg-application-name` forwarded. SQL through `/query` can change
 * anything: members who may write send it as it is; read-only members' SQL is sent in
 * a read-only transaction as a read-only role, and refused unless it only reads
 * (database/read-only-sql.ts). Every other mutation needs write access.
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
  const principal = c.get('principal');
  const isQuery = method === 'POST' && sub === '/query';
  let access: Access =
    method === 'GET' || method === 'HEAD' || SQL_TOOLS.has(sub) ? 'read' : 'write';
  let readOnly = false;
  if (isQuery) {
    const { role } = await requireProject(deps, principal, ref, 'read');
    readOnly = !roleAllows(role, 'write');
    if (readOnly) access = 'read';
  }
  const gw = await resolveGateway(deps, { principal, ref, access });

  let body = await readBody(c.req.raw);
  let timeoutMs: number = PROXY_TIMEOUTS.defaultMs;
  if (isQuery) {
    const parsed = checkQueryBody(body);
    if (parsed.disableStatementTimeout) timeoutMs = PROXY_TIMEOUTS.longQueryMs;
    if (readOnly) body = await readOnlyBody(parsed.body);
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

type QueryBody = { query: string; parameters?: unknown; [k: string]: unknown };

/** The body with its SQL wrapped for a read-only member; parameters would need one statement. */
async function readOnlyBody(body: QueryBody): Promise<Uint8Array> {
  if (Array.isArray(body.parameters) && body.parameters.length > 0) {
    throw new ProxyError(400, 'validation', 'Read-only queries do not take parameters');
  }
  const { parameters: _unused, ...rest } = body;
  const query = await readOnlyQuery(body.query);
  return Buffer.from(JSON.stringify({ ...rest, query }), 'utf8');
}

/** Studio's RunQueryBody: `{ query, disable_statement_timeout?, parameters? }`. */
function checkQueryBody(body: Uint8Array | undefined): {
  disableStatementTimeout: boolean;
  body: QueryBody;
} {
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
    body: parsed as QueryBody,
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
