import type { MiddlewareHandler } from 'hono';
import type { AppEnv, Router } from '../env.js';
import { withResponseHeaders } from './response-headers.js';

/**
 * Routes whose answers carry keys or tokens: project settings (the service_role key
 * and JWT secret for the roles that may see them), API keys (revealed, temporary),
 * personal access tokens and dashboard sessions. None may be kept by a browser or a
 * shared cache (security audit 18.8: settings, `api-keys?reveal=true` and
 * `api-keys/temporary` had no Cache-Control). `<path>/*` matches `<path>` too.
 */
const CARRYING_KEYS = [
  '/platform/projects/:ref/settings',
  '/platform/projects/:ref/api-keys/*',
  '/v1/projects/:ref/api-keys/*',
  '/platform/profile/access-tokens/*',
  '/platform/organizations/:slug/members/invitations',
  '/auth/v1/*',
];

const noStore: MiddlewareHandler<AppEnv> = (c, next) =>
  withResponseHeaders(c, next, [['cache-control', 'no-store']]);

export function mountNoStore(root: Router): void {
  for (const path of CARRYING_KEYS) root.use(path, noStore);
}
