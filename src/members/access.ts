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
 */
const REQUEST_READS = Symbol('requestReads');
type SharingPrincipal = Principal & { [REQUEST_READS]?: Map<string, Promise<unknown>> };

/**
 * A property of the principal rather than a WeakMap entry: a WeakMap keyed by an
 * object that lives for one request costs an ephemeron per request to the GC.
 */
export function shareLookupsWithinRequest(principal: Principal): void {
  (principal as SharingPrincipal)[REQUEST_READS] ??= new Map();
}

function readShared<T extends { organization: Organization }>(
  deps: Pick<Deps, 'readCache'>,
  principal: Principal,
  key: string,
  load: () => Promise<T[]>,
): Promise<T[]> {
  const shared = (principal as SharingPrincipal)[REQUEST_READS];
  if (!shared) return load();
  let hit = shared.get(key) as Promise<T[]> | undefined;
  if (!hit) {
    hit = deps.readCache
      ? deps.readCache.get(`${key}:${principal.userId}`, load, ([row]) => row?.organization.id)
      : load();
    shared.set(key, hit);
  }
  return hit;
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
): Promise<{ organization: Organization; role: Role }> {
  // Anything that cannot be a slug (NUL bytes included) is simply not found.
  if (!isOrganizationSlug(slug)) throw notFound(`Organization ${slug.slice(0, 64)}`);
  const [row] = await readShared(deps, principal, `org:${slug}`, () =>
    organizationMembershipQuery(deps.db).execute({ slug, userId: principal.userId }),
  );
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
): Promise<{ project: Project; organization: Organization; role: Role }> {
  if (!isProjectRef(ref)) throw notFound(`Project ${ref}`);
  const [row] = await readShared(deps, principal, `project:${ref}`, () =>
    projectMembershipQuery(deps.db).execute({ ref, userId: principal.userId }),
  );
  if (!row || row.project.status === 'REMOVED') throw notFound(`Project ${ref}`);
  if (!roleAllows(row.role, access)) throw deny(row.role, access);
  return row;
}
