import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../context.js';
import { authenticateBearer } from '../../services/authentication.js';
import type { AppEnv } from '../env.js';

/** Requires a dashboard access token or a personal access token; sets `principal`. */
export function requireAuth(deps: Pick<Deps, 'db' | 'authKey'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A scope guard may already have authenticated this request.
    if (!c.get('principal')) {
      c.set('principal', await authenticateBearer(deps, c.req.header('authorization')));
    }
    await next();
  };
}
