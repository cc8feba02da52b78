// Plain node:http front end (not Hono: faults need the raw socket to drop or hold requests).
// Order per request mirrors Laravel: route match (catch-all 404) → auth:sanctum (401) →
// throttle (429) → ApiAllowed (403) → api.ability (403) → controller.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Ctx, RouteDef, SimCore } from './context.js';
import type { FaultRegistry, RateLimiter } from './faults.js';
import { handleGateway, type GatewayDeps } from './gateway.js';
import { html, json, message, NOT_FOUND_ROUTE, SERVER_ERROR, type Reply } from './reply.js';
import { isSensitiveAllowed } from './serialize.js';
import type { Fault, SimCall } from './types.js';
import { checkQueryType } from './validation.js';

/** The Coolify user of a token not listed in `tokenUsers`: every token is one user's by default. */
const DEFAULT_USER = 'sim-user';

export interface HttpDeps {
  core: SimCore;
  routes: RouteDef[];
  faults: FaultRegistry;
  limiter: RateLimiter;
  calls: SimCall[];
  gateway: GatewayDeps;
}

const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const body = reply.text ?? JSON.stringify(reply.json ?? null);
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType ?? 'application/json',
    ...reply.headers,
  });
  res.end(body);
}

function faultReply(f: Fault, limit: number): Reply {
  const retry = { 'Retry-After': String(f.retryAfterSeconds ?? 1) };
  if (f.kind === 'garbage') return html(200, '<html><body>Please log in</body></html>');
  if (f.kind === '502') return html(502, '<html><body><h1>502 Bad Gateway</h1></body></html>');
  if (f.kind === '503')
    return json(503, { message: 'Service Unavailable' }, f.retryAfterSeconds ? retry : undefined);
  if (f.kind === '429')
    return json(
      429,
      { message: 'Too Many Attempts.' },
      { ...retry, 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0' },
    );
  return SERVER_ERROR;
}

export class SimHttp {
  readonly server: Server;
  private readonly held = new Set<Socket>();

  constructor(private readonly deps: HttpDeps) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => send(res, SERVER_ERROR));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  async close(): Promise<void> {
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const { opts } = this.deps.core;

    // A project's own domain (what Supaplane registered in `urls`) reaches its Kong, as
    // Coolify's proxy routes by Host; `/gateway/{ref}` stands in for an operator's internal URL.
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const byHost = !['127.0.0.1', 'localhost', '[::1]', ''].includes(host);
    if (byHost || url.pathname.startsWith('/gateway/')) {
      await sleep(opts.latencyMs);
      const apikey = req.headers.apikey;
      const key = typeof apikey === 'string' ? apikey : null;
      const target = byHost ? { host } : { path: url.pathname };
      return send(res, await handleGateway(this.deps.gateway, method, target, url.pathname, key));
    }
    if (url.pathname === '/api/health') return send(res, html(200, 'OK'));

    let parsed: unknown;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parsed = undefined;
    }
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? null;
    const inApi = url.pathname === '/api/v1' || url.pathname.startsWith('/api/v1/');
    const path = inApi ? url.pathname.slice(7).replace(/(.)\/$/, '$1') || '/' : url.pathname;
    const call: SimCall = {
      method,
      path,
      route: null,
      query: Object.fromEntries(url.searchParams),
      body: parsed ?? (raw === '' ? undefined : raw),
      status: 0,
      token,
    };
    const finish = (reply: Reply) => {
      call.status = reply.status;
      this.deps.calls.push(call);
      send(res, reply);
    };

    const match = inApi ? this.deps.core.spec.match(method, path) : null;
    if (!match) return finish(NOT_FOUND_ROUTE);
    const template = match.route.template;
    call.route = template;

    const pre = this.deps.faults.take(method, template, path, false);
    if (pre && (await this.fault(pre, call, req, finish))) return;
    await sleep(opts.latencyMs);
    if (template === '/health') return finish(html(200, 'OK'));

    const ctx: Ctx = {
      core: this.deps.core,
      method,
      path,
      template,
      params: match.params,
      query: url.searchParams,
      body: {},
      rawBody: raw,
      isJson: /\/json|\+json/i.test(req.headers['content-type'] ?? ''),
      parsed: undefined,
      abilities: [],
      canReadSensitive: false,
    };
    if (ctx.isJson) ctx.parsed = parsed;
    if (ctx.isJson && parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      ctx.body = structuredClone(parsed) as Record<string, unknown>;
    const reply = await this.pipeline(ctx, token);

    const post = this.deps.faults.take(method, template, path, true);
    if (post && (await this.fault(post, call, req, finish))) return;
    finish(reply);
  }

  private async pipeline(ctx: Ctx, token: string | null): Promise<Reply> {
    const { opts, spec } = this.deps.core;
    const abilities = token === null ? undefined : opts.tokens.get(token);
    if (!abilities) return message(401, 'Unauthenticated.');
    // Per Coolify user, not per token (RouteServiceProvider.php:51@379abb25).
    const rate = this.deps.limiter.hit(opts.tokenUsers.get(token!) ?? DEFAULT_USER);
    const headers = {
      'X-RateLimit-Limit': String(rate.limit),
      'X-RateLimit-Remaining': String(rate.remaining),
    };
    const withHeaders = (r: Reply): Reply => ({ ...r, headers: { ...headers, ...r.headers } });
    if (!rate.ok) {
      const reset = String(Math.floor(Date.now() / 1000) + rate.retryAfter);
      const retry = { 'Retry-After': String(rate.retryAfter), 'X-RateLimit-Reset': reset };
      return withHeaders(json(429, { message: 'Too Many Attempts.' }, retry));
    }
    if (!opts.apiEnabled)
      return withHeaders(json(403, { success: true, message: 'API is disabled.' }));
    const def = this.deps.routes.find(
      (r) => r.method === ctx.method && r.template === ctx.template,
    );
    const ability = def?.ability ?? (ctx.method === 'GET' ? 'read' : 'write');
    if (!abilities.includes('root') && !abilities.includes(ability))
      return withHeaders(message(403, `Missing required permissions: ${ability}`));
    if (!def) return withHeaders(message(501, `Not simulated: ${ctx.method} ${ctx.template}`));
    const route = spec.routes.find((r) => r.method === ctx.method && r.template === ctx.template);
    for (const q of route?.query ?? []) {
      const value = ctx.query.get(q.name);
      if (value !== null && !checkQueryType(q.type, value)) {
        const attr = q.name.replace(/_/g, ' ');
        const text = q.type === 'boolean' ? 'true or false' : `an ${q.type}`;
        return withHeaders(
          json(422, {
            message: 'Validation failed.',
            errors: { [q.name]: [`The ${attr} field must be ${text}.`] },
          }),
        );
      }
    }
    ctx.abilities = abilities;
    ctx.canReadSensitive = isSensitiveAllowed(abilities);
    try {
      return withHeaders(await def.handle(ctx));
    } catch {
      return withHeaders(SERVER_ERROR);
    }
  }

  /** Returns true when the fault answered (or swallowed) the request. */
  private async fault(
    f: Fault,
    call: SimCall,
    req: IncomingMessage,
    finish: (r: Reply) => void,
  ): Promise<boolean> {
    call.fault = f.kind;
    if (f.kind === 'slow') {
      await sleep(f.delayMs ?? 1000);
      return false;
    }
    if (f.kind === 'drop' || f.kind === 'timeout') {
      this.deps.calls.push(call);
      const socket = req.socket;
      if (f.kind === 'drop') socket.destroy();
      else {
        this.held.add(socket);
        socket.once('close', () => this.held.delete(socket));
        if (f.delayMs !== undefined) setTimeout(() => socket.destroy(), f.delayMs).unref();
      }
      return true;
    }
    finish(faultReply(f, this.deps.core.opts.rateLimitPerMinute));
    return true;
  }
}
