import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../context.js';
import { authenticateBearer, authenticatedNow } from '../../identity/authentication.js';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';

/**
 * Requires a dashboard access token or a personal access token; sets `principal`.
 * `allowPendingMfa`: also a session that still has to verify its second factor.
 */
export function requireAuth(
  deps: Pick<Deps, 'db' | 'authKey'>,
  options: { allowPendingMfa?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  const authenticateThen: MiddlewareHandler<AppEnv> = async (c, next) => {
    const header = requestHeader(c, 'authorization');
    c.set(
      'principal',
      authenticatedNow(deps, header) ?? (await authenticateBearer(deps, header, options)),
    );
    await next();
  };
  // A scope guard may already have authenticated this request: then no promise of its own.
  return (c, next) => (c.get('principal') ? next() : authenticateThen(c, next));
}
