import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, ne } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import {
  auditLog,
  memberships,
  organizations,
  projects,
  type Organization,
  type Role,
} from '../db/schema/index.js';
import { conflict, invalid, notFound } from '../errors.js';
import { requireOrganization } from '../members/access.js';
import { isOrganizationSlug } from '../projects/refs.js';

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'org';
}

export async function createOrganization(
  deps: Pick<Deps, 'db'>,
  input: { name: string; slug?: string },
): Promise<Organization> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 120)
    throw invalid('Organization name must be 1–120 characters');
  const slug = input.slug ?? slugify(name);
  if (!isOrganizationSlug(slug))
    throw invalid('Organization slug must be lowercase letters, digits and dashes');
  const [row] = await deps.db
    .insert(organizations)
    .values({ name, slug })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflict(`An organization with slug "${slug}" already exists`);
  return row;
}

export async function getOrganization(deps: Pick<Deps, 'db'>, id: number): Promise<Organization> {
  const [row] = await deps.db.select().from(organizations).where(eq(organizations.id, id));
  if (!row) throw notFound('Organization');
  return row;
}

export interface OrganizationMembership {
  organization: Organization;
  role: Role;
}

/** Every organization the user belongs to, by name (Studio sorts by name too). */
export async function listOrganizationsForUser(
  deps: Pick<Deps, 'db'>,
  principal: Principal,
): Promise<OrganizationMembership[]> {
  return deps.db
    .select({ organization: organizations, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, principal.userId))
    .orderBy(asc(organizations.name), asc(organizations.id));
}

/**
 * Inserts an organization owned by `ownerId`, in the caller's transaction. The
 * slug comes from the name; when taken, a short random suffix makes it unique.
 */
export async function insertOrganizationWithOwner(
  tx: Tx,
  input: { name: string; ownerId: string; actor: string },
): Promise<Organization> {
  const name = validName(input.name);
  const base = slugify(name);
  for (let attempt = 0; attempt < 8; attempt++) {
    const slug = attempt === 0 ? base : `${base.slice(0, 35)}-${randomBytes(3).toString('hex')}`;
    const [row] = await tx
      .insert(organizations)
      .values({ name, slug })
      .onConflictDoNothing()
      .returning();
    if (!row) continue;
    await tx
      .insert(memberships)
      .values({ organizationId: row.id, userId: input.ownerId, role: 'owner' });
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'organization.create',
      organizationId: row.id,
      detail: { name, slug },
    });
    return row;
  }
  throw conflict(`Could not find a free slug for "${name}"; choose another name`);
}

/** `POST /platform/organizations`: any signed-in user may create one and becomes its owner. */
export async function createOrganizationForUser(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { name: string } },
): Promise<OrganizationMembership> {
  const organization = await deps.db.transaction((tx) =>
    insertOrganizationWithOwner(tx, {
      name: input.name,
      ownerId: actor.userId,
      actor: actor.userId,
    }),
  );
  return { organization, role: 'owner' };
}

/** Administrators and owners may rename; the slug stays, since Studio's URLs use it. */
/** The opt-ins Supabase's API knows (V1OrganizationSlugResponse.opt_in_tags in openapi-v1.json). */
export const OPT_IN_TAGS = [
  'AI_SQL_GENERATOR_OPT_IN',
  'AI_DATA_GENERATOR_OPT_IN',
  'AI_LOG_GENERATOR_OPT_IN',
] as const;

/** Renames an organization and/or replaces its opt-in tags (Studio's General settings). */
export async function renameOrganization(
  deps: Pick<Deps, 'db'>,
  {
    actor,
    input,
  }: { actor: Principal; input: { slug: string; name?: string; optInTags?: string[] } },
): Promise<OrganizationMembership> {
  const { organization, role } = await requireOrganization(deps, actor, input.slug, 'admin');
  const rename = input.name !== undefined && input.name.trim() !== organization.name;
  const tags = input.optInTags === undefined ? undefined : validOptInTags(input.optInTags);
  const retag = tags !== undefined && tags.join() !== [...organization.optInTags].sort().join();
  if (!rename && !retag) return { organization, role };
  const name = rename ? validName(input.name!) : organization.name;
  const updated = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(organizations)
      .set({ name, ...(retag ? { optInTags: tags } : {}) })
      .where(eq(organizations.id, organization.id))
      .returning();
    if (rename) {
      await tx.insert(auditLog).values({
        actor: actor.userId,
        action: 'organization.rename',
        organizationId: organization.id,
        detail: { from: organization.name, to: name },
      });
    }
    if (retag) {
      await tx.insert(auditLog).values({
        actor: actor.userId,
        action: 'organization.opt_in_tags',
        organizationId: organization.id,
        detail: { from: organization.optInTags, to: tags },
      });
    }
    return row!;
  });
  return { organization: updated, role };
}

function validOptInTags(tags: string[]): string[] {
  for (const tag of tags) {
    if (!(OPT_IN_TAGS as readonly string[]).includes(tag)) {
      throw invalid(
        `opt_in_tags: unknown tag "${tag.slice(0, 64)}"; known: ${OPT_IN_TAGS.join(', ')}`,
      );
    }
  }
  return [...new Set(tags)].sort();
}

/**
 * Only an owner may delete an organization, and only once it has no projects left
 * (deleted ones excepted): deleting projects stops their stacks, which this must
 * never do as a side effect.
 */
export async function deleteOrganization(
  deps: Pick<Deps, 'db' | 'log' | 'provisioner'>,
  { actor, input }: { actor: Principal; input: { slug: string } },
): Promise<Organization> {
  const { organization } = await requireOrganization(deps, actor, input.slug, 'owner');
  await deps.db.transaction(async (tx) => {
    // Locking the row makes a concurrent project insert (its foreign key) wait for us.
    await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, organization.id))
      .for('update');
    const [live] = await tx
      .select({ n: count() })
      .from(projects)
      .where(and(eq(projects.organizationId, organization.id), ne(projects.status, 'REMOVED')));
    if (live && live.n > 0) {
      throw conflict(
        `Organization ${organization.slug} still has ${live.n} project${live.n === 1 ? '' : 's'}; delete ${live.n === 1 ? 'it' : 'them'} first`,
      );
    }
    await tx.delete(projects).where(eq(projects.organizationId, organization.id));
    await tx.delete(organizations).where(eq(organizations.id, organization.id));
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: 'organization.delete',
      organizationId: organization.id,
      detail: { slug: organization.slug, name: organization.name },
    });
  });
  if (organization.coolifyProjectUuid && deps.provisioner) {
    // Best effort: an empty Coolify project left behind costs nothing and is harmless.
    await deps.provisioner
      .removeGroupIfEmpty(organization.coolifyProjectUuid)
      .catch((err: unknown) =>
        deps.log.warn(
          { organization: organization.slug, err: (err as Error).message },
          'could not remove the organization’s Coolify project',
        ),
      );
  }
  return organization;
}

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 120)
    throw invalid('Organization name must be 1–120 characters');
  return name;
}
