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
  return async (c, next) => {
    // A scope guard may already have authenticated this request.
    if (!c.get('principal')) {
      const header = requestHeader(c, 'authorization');
      c.set(
        'principal',
        authenticatedNow(deps, header) ?? (await authenticateBearer(deps, header, options)),
      );
    }
    await next();
  };
}
