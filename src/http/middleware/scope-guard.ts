import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../context.js';
import {
  requireOrganization,
  requireProject,
  shareLookupsWithinRequest,
  type Access,
} from '../../members/access.js';
import { authenticateBearer, authenticatedNow } from '../../identity/authentication.js';
import { isProjectRef } from '../../projects/refs.js';
import type { AppEnv, Router } from '../env.js';
import { requestHeader } from '../request-header.js';

/** POSTs that only read, and so are open to read-only members. */
const READS_BY_POST = [
  /\/available-versions$/,
  /\/objects\/(list|list-v2|sign|sign-multi|public-url|download)$/,
  /\/database\/query\/read-only$/,
  /\/analytics\/endpoints\//,
  // The service decides: an anon key is a read, a service_role key needs write.
  /\/api-keys\/temporary$/,
  // The route decides: a read-only member's SQL runs in a read-only transaction.
  /^\/platform\/pg-meta\/[^/]+\/query$/,
];

const PROJECT_SCOPES = [
  '/platform/projects/:ref',
  '/platform/pg-meta/:ref',
  '/platform/auth/:ref',
  '/platform/storage/:ref',
  '/platform/props/project/:ref',
  '/platform/database/:ref',
  '/v1/projects/:ref',
];
const ORGANIZATION_SCOPES = ['/platform/organizations/:slug', '/v1/organizations/:slug'];

function accessFor(method: string, path: string, selfTarget: boolean): Access {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return 'read';
  if (selfTarget || READS_BY_POST.some((p) => p.test(path))) return 'read';
  return 'write';
}

/**
 * Membership and role are checked before any route parses its input, so whatever
 * is sent, a caller outside the organization gets 404 and a read-only member 403.
 * Services still check the exact level each operation needs (e.g. admin to pause).
 */
export function mountScopeGuards(root: Router, deps: Deps): void {
  const authenticate = async (c: Parameters<MiddlewareHandler<AppEnv>>[0]) => {
    if (!c.get('principal')) {
      const header = requestHeader(c, 'authorization');
      const principal = authenticatedNow(deps, header) ?? (await authenticateBearer(deps, header));
      // A read cannot change membership or the project, so its two checks may share a lookup.
      if (c.req.method === 'GET' || c.req.method === 'HEAD') shareLookupsWithinRequest(principal);
      c.set('principal', principal);
    }
    return c.get('principal');
  };
  const project: MiddlewareHandler<AppEnv> = async (c, next) => {
    const ref = c.req.param('ref');
    // Sibling routes such as /projects/available-regions share the pattern.
    if (ref && isProjectRef(ref)) {
      const principal = await authenticate(c);
      await requireProject(deps, principal, ref, accessFor(c.req.method, c.req.path, false));
    }
    await next();
  };
  const organization: MiddlewareHandler<AppEnv> = async (c, next) => {
    const slug = c.req.param('slug');
    // Invitation links are opened by people who are not members yet.
    if (slug && !/\/members\/invitations\/[^/]+$/.test(c.req.path)) {
      const principal = await authenticate(c);
      const self = c.req.path.endsWith(`/members/${principal.userId}`);
      await requireOrganization(deps, principal, slug, accessFor(c.req.method, c.req.path, self));
    }
    await next();
  };
  // `<scope>/*` matches `<scope>` itself too: registering both ran each check twice.
  for (const scope of PROJECT_SCOPES) root.use(`${scope}/*`, project);
  for (const scope of ORGANIZATION_SCOPES) root.use(`${scope}/*`, organization);
}
