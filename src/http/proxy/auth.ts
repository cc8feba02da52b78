import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import type { Access } from '../../members/access.js';
import { getAuthConfig, updateAuthConfig } from '../../settings/auth-config.js';
import { resolveGateway, type ProjectGateway } from '../../gateway/gateway.js';
import { pathSegment } from '../../gateway/gateway-path.js';
import type { AppEnv, Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import {
  ProxyError,
  forward,
  proxied,
  readJsonObject,
  relay,
  upstreamJson,
  type ForwardRequest,
} from './forward.js';

const PREFIX = '/platform/auth/:ref';

type Ctx = Context<AppEnv>;

/**
 * `/platform/auth/{ref}/…` → the project's GoTrue through its gateway, with the
 * service key: users (admin API), the e-mail/SMS actions, and the settings page.
 */
export function authProxyRoutes(deps: Deps, router: Router): void {
  router.use(`${PREFIX}/*`, requireAuth(deps));
  const on = (method: string, path: string, run: (c: Ctx) => Promise<Response>) =>
    router.on(method, `${PREFIX}${path}`, (c) => proxied(c, deps.log, () => run(c)));

  const gateway = (c: Ctx, access: Access) =>
    resolveGateway(deps, { principal: c.get('principal'), ref: c.req.param('ref') ?? '', access });
  // Everything Studio reaches here is under GoTrue's /auth/v1/ on the project's gateway.
  const call = (c: Ctx, gw: ProjectGateway, req: Omit<ForwardRequest, 'scope'>) =>
    forward(gw, {
      signal: c.req.raw.signal,
      requestId: c.get('requestId'),
      scope: '/auth/v1/',
      ...req,
    });
  const json = (c: Ctx) => readJsonObject(c.req.raw);
  const id = (c: Ctx) => pathSegment(c.req.param('id') ?? '', 'user id');

  on('GET', '/users', async (c) => {
    const gw = await gateway(c, 'read');
    const res = await call(c, gw, {
      method: 'GET',
      path: '/auth/v1/admin/users',
      search: usersQuery(new URL(c.req.url).searchParams),
    });
    const data = (await upstreamJson(gw, res)) as { users?: unknown[] } | null;
    const users = Array.isArray(data?.users) ? data.users : [];
    const total = Number(res.headers.get('x-total-count') ?? users.length);
    return c.json({ total, users });
  });

  on('POST', '/users', async (c) => {
    const gw = await gateway(c, 'write');
    const json_ = await json(c);
    return relay(
      gw,
      await call(c, gw, { method: 'POST', path: '/auth/v1/admin/users', json: json_ }),
    );
  });

  // Older Studio deletes with the user object as the body of DELETE /users.
  on('DELETE', '/users', async (c) => {
    const gw = await gateway(c, 'write');
    const userId = (await json(c)).id;
    if (typeof userId !== 'string' || !userId) {
      throw new ProxyError(400, 'validation', 'Invalid request: id: the user id is required');
    }
    const path = `/auth/v1/admin/users/${pathSegment(userId, 'id')}`;
    return relay(gw, await call(c, gw, { method: 'DELETE', path }));
  });

  on('GET', '/users/:id', async (c) => {
    const gw = await gateway(c, 'read');
    return relay(gw, await call(c, gw, { method: 'GET', path: `/auth/v1/admin/users/${id(c)}` }));
  });

  // GoTrue updates users with PUT (Studio sends e.g. `{ ban_duration: "24h" }`).
  on('PATCH', '/users/:id', async (c) => {
    const gw = await gateway(c, 'write');
    const body = await json(c);
    const path = `/auth/v1/admin/users/${id(c)}`;
    return relay(gw, await call(c, gw, { method: 'PUT', path, json: body }));
  });

  on('DELETE', '/users/:id', async (c) => {
    const gw = await gateway(c, 'write');
    return relay(
      gw,
      await call(c, gw, { method: 'DELETE', path: `/auth/v1/admin/users/${id(c)}` }),
    );
  });

  // GoTrue deletes factors one by one; Studio asks for all of a user's at once.
  on('DELETE', '/users/:id/factors', async (c) => {
    const gw = await gateway(c, 'write');
    const base = `/auth/v1/admin/users/${id(c)}/factors`;
    const factors = await upstreamJson(gw, await call(c, gw, { method: 'GET', path: base }));
    const ids = (Array.isArray(factors) ? factors : [])
      .map((f) => (f as { id?: unknown }).id)
      .filter((v): v is string => typeof v === 'string');
    for (const factorId of ids) {
      const res = await call(c, gw, {
        method: 'DELETE',
        path: `${base}/${pathSegment(factorId, 'factor id')}`,
      });
      await upstreamJson(gw, res);
    }
    return c.json({ deleted: ids.length });
  });

  // E-mail and SMS actions. `/invite` is admin-only in GoTrue; the others are the
  // public endpoints, which the service key may call too.
  for (const action of ['invite', 'magiclink', 'otp', 'recover'] as const) {
    on('POST', `/${action}`, async (c) => {
      const gw = await gateway(c, 'write');
      const body = await json(c);
      return relay(
        gw,
        await call(c, gw, { method: 'POST', path: `/auth/v1/${action}`, json: body }),
      );
    });
  }

  on('GET', '/config', async (c) =>
    c.json(
      await getAuthConfig(deps, { principal: c.get('principal'), ref: c.req.param('ref') ?? '' }),
    ),
  );
  for (const path of ['/config', '/config/hooks']) {
    on('PATCH', path, async (c) =>
      c.json(
        await updateAuthConfig(deps, {
          principal: c.get('principal'),
          ref: c.req.param('ref') ?? '',
          body: await json(c),
        }),
      ),
    );
  }
}

/**
 * GoTrue's admin list takes `page` (from 1), `per_page` and `filter`. Studio has sent
 * both `page`/`per_page` and `limit`/`offset`, with `keywords` as the search text.
 */
export function usersQuery(params: URLSearchParams): string {
  const out = new URLSearchParams();
  const positive = (v: string | null) => {
    const n = Number(v);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const perPage = positive(params.get('per_page')) ?? positive(params.get('limit')) ?? 50;
  const offset = Number(params.get('offset'));
  const page =
    positive(params.get('page')) ??
    (Number.isInteger(offset) && offset > 0 ? Math.floor(offset / perPage) + 1 : 1);
  out.set('page', String(page));
  out.set('per_page', String(Math.min(perPage, 1000)));
  const keywords = params.get('keywords')?.trim();
  if (keywords) out.set('filter', keywords);
  return `?${out.toString()}`;
}
