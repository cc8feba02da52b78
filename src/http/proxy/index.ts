import type { Deps } from '../../context.js';
import { resolveGateway } from '../../gateway/gateway.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { forward, proxied, relay } from './forward.js';
import { authProxyRoutes } from './auth.js';
import { pgMetaProxyRoutes } from './pg-meta.js';
import { storageProxyRoutes } from './storage.js';

/**
 * Studio's per-project data pages, proxied to the project's own gateway with its
 * service key. These are pass-throughs of other services' APIs, so they are plain
 * routes rather than OpenAPI-described ones. Middleware is scoped to each prefix:
 * this router is mounted at the root beside the others.
 */
export function platformProxyRoutes(deps: Deps): Router {
  const router = newRouter();
  pgMetaProxyRoutes(deps, router);
  authProxyRoutes(deps, router);
  storageProxyRoutes(deps, router);

  // PostgREST's OpenAPI document; Studio also pings it with HEAD after restarts
  // (Hono answers HEAD from this GET handler, without the body).
  const rest = '/platform/projects/:ref/api/rest';
  router.use(rest, requireAuth(deps));
  router.get(rest, (c) =>
    proxied(c, deps.log, async () => {
      const gw = await resolveGateway(deps, {
        principal: c.get('principal'),
        ref: c.req.param('ref'),
        access: 'read',
      });
      const res = await forward(gw, {
        method: 'GET',
        path: '/rest/v1/',
        scope: '/rest/v1/',
        signal: c.req.raw.signal,
        requestId: c.get('requestId'),
      });
      return relay(gw, res);
    }),
  );
  return router;
}
