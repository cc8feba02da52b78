import { and, eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { prepared } from '../db/prepared.js';
import {
  memberships,
  organizations,
  projects,
  type Organization,
  type Project,
  type Role,
} from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { isOrganizationSlug, isProjectRef } from '../projects/refs.js';

/**
 * What a role may do. `read` is every member; `write` changes project data (SQL,
 * tables, auth users, storage, snippets); `admin` changes projects themselves and
 * members; `owner` may delete the organization.
 */
export type Access = 'read' | 'write' | 'admin' | 'owner';

const RANK: Record<Role, number> = { read_only: 0, developer: 1, administrator: 2, owner: 3 };
const NEEDED: Record<Access, number> = { read: 0, write: 1, admin: 2, owner: 3 };

export const roleAllows = (role: Role, access: Access) => RANK[role] >= NEEDED[access];

function deny(role: Role, access: Access): AppError {
  return new AppError(
    'forbidden',
    `Your role (${role}) does not allow this: it needs ${access} access`,
  );
}

/**
 * Lookups shared within one read-only request (a GET), so the transport's early
 * scope check and the service's own check cost one query, and served from the
 * process's read cache when there is one. Keyed by the principal, which is
 * created per request; requests that change state always read the database.
 * A lookup's promise is replaced by its rows once they are in, so later checks
 * of the request can use them without waiting (requireProjectNow).
 */
const REQUEST_READS = Symbol('requestReads');
type Shared = Map<string, unknown[] | Promise<unknown[]>>;
type SharingPrincipal = Principal & { [REQUEST_READS]?: Shared };

/**
 * A property of the principal rather than a WeakMap entry: a WeakMap keyed by an
 * object that lives for one request costs an ephemeron per request to the GC.
 */
export function shareLookupsWithinRequest(principal: Principal): void {
  (principal as SharingPrincipal)[REQUEST_READS] ??= new Map();
}

const cacheKey = (principal: Principal, key: string) => `${key}:${principal.userId}`;

function readShared<T extends { organization: Organization }>(
  deps: Pick<Deps, 'readCache'>,
  principal: Principal,
  key: string,
  load: () => Promise<T[]>,
): T[] | Promise<T[]> {
  const shared = (principal as SharingPrincipal)[REQUEST_READS];
  if (!shared) return load();
  let hit = shared.get(key) as T[] | Promise<T[]> | undefined;
  if (!hit) {
    const loading = deps.readCache
      ? deps.readCache.get(cacheKey(principal, key), load, ([row]) => row?.organization.id)
      : load();
    shared.set(key, (hit = loading));
    loading.then(
      (rows) => shared.get(key) === loading && shared.set(key, rows),
      () => {}, // the caller awaiting `loading` sees the error
    );
  }
  return hit;
}

/** The rows of `key` if this request or the read cache already has them, without waiting. */
function sharedNow<T>(
  deps: Pick<Deps, 'readCache'>,
  principal: Principal,
  key: string,
): T[] | undefined {
  const shared = (principal as SharingPrincipal)[REQUEST_READS];
  if (!shared) return undefined;
  const hit = shared.get(key);
  if (hit) return hit instanceof Promise ? undefined : (hit as T[]);
  const cached = deps.readCache?.peek<T[]>(cacheKey(principal, key));
  if (cached) shared.set(key, cached);
  return cached;
}

// These two run on every scoped request (see prepared).
const projectMembershipQuery = prepared((db) =>
  db
    .select({ project: projects, organization: organizations, role: memberships.role })
    .from(projects)
    .innerJoin(organizations, eq(organizations.id, projects.organizationId))
    .innerJoin(memberships, eq(memberships.organizationId, organizations.id))
    .where(
      and(
        eq(projects.ref, sql.placeholder('ref')),
        eq(memberships.userId, sql.placeholder('userId')),
      ),
    )
    .prepare('require_project'),
);

const organizationMembershipQuery = prepared((db) =>
  db
    .select({ organization: organizations, role: memberships.role })
    .from(organizations)
    .innerJoin(memberships, eq(memberships.organizationId, organizations.id))
    .where(
      and(
        eq(organizations.slug, sql.placeholder('slug')),
        eq(memberships.userId, sql.placeholder('userId')),
      ),
    )
    .prepare('require_organization'),
);

/** The organization by slug, if the caller is a member. Others get 404, not a hint it exists. */
export async function requireOrganization(
  deps: Pick<Deps, 'db' | 'readCache'>,
  principal: Principal,
  slug: string,
  access: Access = 'read',
): Promise<OrganizationAccess> {
  const known = requireOrganizationNow(deps, principal, slug, access);
  if (known) return known;
  const rows = await readShared(deps, principal, `org:${slug}`, () =>
    organizationMembershipQuery(deps.db).execute({ slug, userId: principal.userId }),
  );
  return organizationAccess(rows[0], slug, access);
}

type OrganizationAccess = { organization: Organization; role: Role };

/** requireOrganization's answer when it needs no waiting, as requireProjectNow. */
export function requireOrganizationNow(
  deps: Pick<Deps, 'readCache'>,
  principal: Principal,
  slug: string,
  access: Access = 'read',
): OrganizationAccess | undefined {
  // Anything that cannot be a slug (NUL bytes included) is simply not found.
  if (!isOrganizationSlug(slug)) throw notFound(`Organization ${slug.slice(0, 64)}`);
  const rows = sharedNow<OrganizationAccess>(deps, principal, `org:${slug}`);
  return rows && organizationAccess(rows[0], slug, access);
}

function organizationAccess(row: OrganizationAccess | undefined, slug: string, access: Access) {
  if (!row) throw notFound(`Organization ${slug}`);
  if (!roleAllows(row.role, access)) throw deny(row.role, access);
  return row;
}

/** The project by ref, if the caller belongs to its organization. Others get 404. */
export async function requireProject(
  deps: Pick<Deps, 'db' | 'readCache'>,
  principal: Principal,
  ref: string,
  access: Access = 'read',
): Promise<ProjectAccess> {
  const known = requireProjectNow(deps, principal, ref, access);
  if (known) return known;
  const rows = await readShared(deps, principal, `project:${ref}`, () =>
    projectMembershipQuery(deps.db).execute({ ref, userId: principal.userId }),
  );
  return projectAccess(rows[0], ref, access);
}

export type ProjectAccess = { project: Project; organization: Organization; role: Role };

/**
 * requireProject's answer when it needs no waiting: the ref is malformed (it throws),
 * or this request or the read cache already holds the caller's membership row (it
 * answers or throws as requireProject would). Undefined when the row must be read.
 * Studio's hot reads check a project twice per request (the scope guard, then the
 * route), each time with a row at hand: this spares each check its promises.
 */
export function requireProjectNow(
  deps: Pick<Deps, 'readCache'>,
  principal: Principal,
  ref: string,
  access: Access = 'read',
): ProjectAccess | undefined {
  if (!isProjectRef(ref)) throw notFound(`Project ${ref}`);
  const rows = sharedNow<ProjectAccess>(deps, principal, `project:${ref}`);
  return rows && projectAccess(rows[0], ref, access);
}

function projectAccess(row: ProjectAccess | undefined, ref: string, access: Access) {
  if (!row || row.project.status === 'REMOVED') throw notFound(`Project ${ref}`);
  if (!roleAllows(row.role, access)) throw deny(row.role, access);
  return row;
}
