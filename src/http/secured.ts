import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.js';

/**
 * The route with `auth` as its own middleware, so it runs for exactly this method
 * and path. `router.use(path)` would match other methods and patterns sharing the
 * prefix (other routers mount under /platform too) and could authenticate twice.
 */
export const secured = <R extends RouteConfig>(route: R, auth: MiddlewareHandler<AppEnv>) => ({
  ...route,
  middleware: auth,
});
