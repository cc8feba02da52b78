import { and, asc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { auditLog, memberships, profiles, users, type Role } from '../db/schema/index.js';
import { AppError, conflict, notFound } from '../errors.js';
import { requireOrganization } from './access.js';
import { defaultUsername } from '../identity/profile.js';

export interface MemberView {
  userId: string;
  email: string;
  username: string;
  role: Role;
}

export async function listMembers(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string } },
): Promise<MemberView[]> {
  const { organization } = await requireOrganization(deps, actor, input.slug);
  const rows = await deps.db
    .select({
      userId: users.id,
      email: users.email,
      username: profiles.username,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(profiles, eq(profiles.userId, users.id))
    .where(eq(memberships.organizationId, organization.id))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  return rows.map((r) => ({ ...r, username: r.username ?? defaultUsername(r.email) }));
}

/**
 * Changes a member's role. Administrators manage members, but only an owner may
 * give the owner role or change an owner; the last owner can never be demoted.
 */
export async function changeMemberRole(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string; userId: string; role: Role } },
): Promise<MemberView> {
  const { organization, role: actorRole } = await requireOrganization(
    deps,
    actor,
    input.slug,
    'admin',
  );
  await deps.db.transaction(async (tx) => {
    const owners = await lockOwners(tx, organization.id);
    const current = await memberRole(tx, organization.id, input.userId, input.slug);
    if (current === input.role) return;
    if ((current === 'owner' || input.role === 'owner') && actorRole !== 'owner') {
      throw ownersOnly();
    }
    if (current === 'owner' && owners.length === 1) throw lastOwner(input.slug);
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(
        and(eq(memberships.organizationId, organization.id), eq(memberships.userId, input.userId)),
      );
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: 'member.role_change',
      organizationId: organization.id,
      detail: { member: input.userId, from: current, to: input.role },
    });
  });
  const member = (await listMembers(deps, { actor, input })).find((m) => m.userId === input.userId);
  if (!member) throw notFound('Member');
  return member;
}

/**
 * Removes a member. Anyone may leave (remove themselves); removing someone else
 * takes an administrator, and removing an owner takes an owner. The last owner
 * stays: an organization without an owner could never be deleted.
 */
export async function removeMember(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string; userId: string } },
): Promise<void> {
  const leaving = input.userId === actor.userId;
  const { organization, role: actorRole } = await requireOrganization(
    deps,
    actor,
    input.slug,
    leaving ? 'read' : 'admin',
  );
  await deps.db.transaction(async (tx) => {
    const owners = await lockOwners(tx, organization.id);
    const current = await memberRole(tx, organization.id, input.userId, input.slug);
    if (current === 'owner' && !leaving && actorRole !== 'owner') throw ownersOnly();
    if (current === 'owner' && owners.length === 1) throw lastOwner(input.slug);
    await tx
      .delete(memberships)
      .where(
        and(eq(memberships.organizationId, organization.id), eq(memberships.userId, input.userId)),
      );
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: leaving ? 'member.leave' : 'member.remove',
      organizationId: organization.id,
      detail: { member: input.userId, role: current },
    });
  });
}

/** The owners' membership rows, locked so two demotions cannot both pass the last-owner check. */
async function lockOwners(tx: Tx, organizationId: number): Promise<string[]> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, 'owner')))
    .for('update');
  return rows.map((r) => r.userId);
}

async function memberRole(tx: Tx, organizationId: number, userId: string, slug: string) {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.userId, userId)));
  if (!row) throw notFound(`Member ${userId} of organization ${slug}`);
  return row.role;
}

const ownersOnly = () =>
  new AppError('forbidden', 'Only an owner may grant, change or remove the owner role');

const lastOwner = (slug: string) =>
  conflict(
    `This is the last owner of organization ${slug}; make another member owner first, or delete the organization`,
  );
