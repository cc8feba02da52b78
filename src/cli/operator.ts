import { asc, count, eq, ne } from 'drizzle-orm';
import type { Deps } from '../context.js';
import {
  memberships,
  organizations,
  projects,
  users,
  type Organization,
  type User,
} from '../db/schema/index.js';
import { notFound } from '../errors.js';
import { normalizeEmail } from '../identity/users.js';

/**
 * Reads for the operator (the `supaplane` CLI runs with the server's own
 * credentials, so it sees every organization, not one member's view).
 */
export async function listAllOrganizations(
  deps: Pick<Deps, 'db'>,
): Promise<(Organization & { projects: number; members: number })[]> {
  const [orgs, projectCounts, memberCounts] = await Promise.all([
    deps.db.select().from(organizations).orderBy(asc(organizations.id)),
    deps.db
      .select({ id: projects.organizationId, n: count() })
      .from(projects)
      .where(ne(projects.status, 'REMOVED'))
      .groupBy(projects.organizationId),
    deps.db
      .select({ id: memberships.organizationId, n: count() })
      .from(memberships)
      .groupBy(memberships.organizationId),
  ]);
  const p = new Map(projectCounts.map((r) => [r.id, r.n]));
  const m = new Map(memberCounts.map((r) => [r.id, r.n]));
  return orgs.map((o) => ({ ...o, projects: p.get(o.id) ?? 0, members: m.get(o.id) ?? 0 }));
}

export async function getOrganizationBySlug(
  deps: Pick<Deps, 'db'>,
  slug: string,
): Promise<Organization> {
  const [row] = await deps.db.select().from(organizations).where(eq(organizations.slug, slug));
  if (!row) throw notFound(`Organization ${slug}`);
  return row;
}

export async function getUserByEmail(deps: Pick<Deps, 'db'>, email: string): Promise<User> {
  const [row] = await deps.db
    .select()
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  if (!row) throw notFound(`User ${email}`);
  return row;
}
