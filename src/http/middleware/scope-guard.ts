import type { Context, Next } from 'hono';
import type { Deps } from '../../context.js';
import type { Principal } from '../../auth/principal.js';
import {
  requireOrganization,
  requireOrganizationNow,
  requireProject,
  requireProjectNow,
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

/** Where a /platform path names a project or an organization: `[prefix segments, kind]`. */
const PLATFORM_SCOPES: ReadonlyArray<readonly [string[], 'project' | 'organization']> = [
  [['projects'], 'project'],
  [['pg-meta'], 'project'],
  [['auth'], 'project'],
  [['storage'], 'project'],
  [['props', 'project'], 'project'],
  [['database'], 'project'],
  [['organizations'], 'organization'],
];

/**
 * The project ref or organization slug a /platform path (after `/platform/`) is
 * scoped to, as Hono would give `:ref`/`:slug` for `/platform/projects/:ref/*` and the
 * rest: the segment after the prefix, percent-decoded.
 */
export function platformScope(rest: string): { ref?: string; slug?: string } {
  const segments = rest.split('/');
  for (const [prefix, kind] of PLATFORM_SCOPES) {
    if (!prefix.every((p, i) => segments[i] === p)) continue;
    const raw = segments[prefix.length];
    if (!raw) return {};
    const value = raw.includes('%') ? tryDecode(raw) : raw;
    return kind === 'project' ? { ref: value } : { slug: value };
  }
  return {};
}

function tryDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function accessFor(method: string, path: string, selfTarget: boolean): Access {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method)) return 'read';
  if (selfTarget || READS_BY_POST.some((p) => p.test(path))) return 'read';
  return 'write';
}

/**
 * Membership and role are checked before any route parses its input, so whatever
 * is sent, a caller outside the organization gets 404 and a read-only member 403.
 * Services still check the exact level each operation needs (e.g. admin to pause).
 *
 * /platform/** is one layer, which first counts a personal access token against its
 * budget (rate-limit.ts) and then checks the scope its path names (platformScope):
 * each Hono layer costs ~9k instructions per request (every-request.ts), and Studio's
 * hot reads passed both. /v1 keeps a guard per scope pattern, after its own limiter.
 */
export function mountScopeGuards(
  root: Router,
  deps: Deps,
  countAccessToken: (c: Context<AppEnv>) => Promise<void> | undefined,
): void {
  const share = (c: Context<AppEnv>, principal: Principal) => {
    // A read cannot change membership or the project, so its two checks may share a lookup.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') shareLookupsWithinRequest(principal);
    c.set('principal', principal);
    return principal;
  };
  /** The caller, when known without waiting: already authenticated, or its session cached. */
  const principalNow = (c: Context<AppEnv>) => {
    const known = c.get('principal');
    if (known) return known;
    const principal = authenticatedNow(deps, requestHeader(c, 'authorization'));
    return principal && share(c, principal);
  };
  const authenticate = async (c: Context<AppEnv>) =>
    principalNow(c) ?? share(c, await authenticateBearer(deps, requestHeader(c, 'authorization')));
  // Each check answers without a promise when the caller and their membership are at
  // hand, as on Studio's polls: a promise only when something must be read.
  const checkProject = (c: Context<AppEnv>, ref: string | undefined) => {
    // Sibling routes such as /projects/available-regions share the pattern.
    if (!ref || !isProjectRef(ref)) return;
    const access = accessFor(c.req.method, c.req.path, false);
    const principal = principalNow(c);
    if (principal && requireProjectNow(deps, principal, ref, access)) return;
    return authenticate(c).then((p) => requireProject(deps, p, ref, access));
  };
  const checkOrganization = (c: Context<AppEnv>, slug: string | undefined) => {
    // Invitation links are opened by people who are not members yet.
    if (!slug || /\/members\/invitations\/[^/]+$/.test(c.req.path)) return;
    const principal = principalNow(c);
    if (principal) {
      const self = c.req.path.endsWith(`/members/${principal.userId}`);
      const access = accessFor(c.req.method, c.req.path, self);
      if (requireOrganizationNow(deps, principal, slug, access)) return;
    }
    return authenticate(c).then((p) => {
      const self = c.req.path.endsWith(`/members/${p.userId}`);
      return requireOrganization(deps, p, slug, accessFor(c.req.method, c.req.path, self));
    });
  };
  const platformAt = `${deps.config.SUPAPLANE_BASE_PATH}/platform/`.length;
  const guardPlatform = (c: Context<AppEnv>, next: Next) => {
    const scope = platformScope(c.req.path.slice(platformAt));
    const checking =
      scope.ref !== undefined
        ? checkProject(c, scope.ref)
        : scope.slug !== undefined
          ? checkOrganization(c, scope.slug)
          : undefined;
    return checking ? checking.then(() => next()) : next();
  };
  // Not async: when the checks are answered from this request's rows (Studio's polls),
  // this layer adds no promise of its own to Hono's dispatch.
  root.use('/platform/*', (c, next) => {
    const counting = countAccessToken(c);
    return counting ? counting.then(() => guardPlatform(c, next)) : guardPlatform(c, next);
  });
  // `<scope>/*` matches `<scope>` itself too: registering both ran each check twice.
  root.use('/v1/projects/:ref/*', async (c, next) => {
    await checkProject(c, c.req.param('ref'));
    await next();
  });
  root.use('/v1/organizations/:slug/*', async (c, next) => {
    await checkOrganization(c, c.req.param('slug'));
    await next();
  });
}
