import { randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import {
  auditLog,
  invitations,
  memberships,
  organizations,
  users,
  type Role,
} from '../db/schema/index.js';
import { AppError, conflict, invalid, notFound } from '../errors.js';
import { requireOrganization } from './access.js';
import { hashToken } from '../identity/authentication.js';
import { isValidEmail, normalizeEmail } from '../identity/users.js';

/**
 * An invitation can be accepted for two days (it was a week): a join link travels by
 * hand and may end up in chats or logs, so it should not stay useful for long. It is
 * also single-use: accepting it consumes it.
 */
export const INVITATION_TTL_MS = 48 * 3600_000;

export type Invitation = typeof invitations.$inferSelect;

const isExpired = (inv: Invitation, now = Date.now()) =>
  inv.createdAt.getTime() + INVITATION_TTL_MS <= now;

/** Pending invitations (not yet accepted), for any member to see on the team page. */
export async function listInvitations(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string } },
): Promise<Invitation[]> {
  const { organization } = await requireOrganization(deps, actor, input.slug);
  return deps.db
    .select()
    .from(invitations)
    .where(and(eq(invitations.organizationId, organization.id), isNull(invitations.acceptedAt)))
    .orderBy(asc(invitations.id));
}

/**
 * Invites people by email. Supaplane has no mail: each invitation's token is in
 * this result only (stored as a hash), for the inviter to pass on as a join link.
 * Inviting an address again replaces its pending invitation (and its token).
 */
export async function createInvitations(
  deps: Pick<Deps, 'db' | 'log'>,
  { actor, input }: { actor: Principal; input: { slug: string; emails: string[]; role: Role } },
): Promise<Array<{ invitation: Invitation; token: string }>> {
  const { organization, role: actorRole } = await requireOrganization(
    deps,
    actor,
    input.slug,
    'admin',
  );
  if (input.role === 'owner' && actorRole !== 'owner') {
    throw new AppError('forbidden', 'Only an owner may invite someone as owner');
  }
  const emails = [...new Set(input.emails.map(normalizeEmail))];
  if (emails.length === 0 || emails.length > 50)
    throw invalid('Invite 1–50 email addresses at a time');
  const bad = emails.find((e) => !isValidEmail(e));
  if (bad) throw invalid(`Not a valid email address: ${bad}`);
  const created = await deps.db.transaction(async (tx) => {
    const out: Array<{ invitation: Invitation; token: string }> = [];
    for (const email of emails) {
      const [member] = await tx
        .select({ id: users.id })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.organizationId, organization.id), eq(users.email, email)));
      if (member) throw conflict(`${email} is already a member of ${organization.slug}`);
      await tx
        .delete(invitations)
        .where(
          and(
            eq(invitations.organizationId, organization.id),
            eq(invitations.email, email),
            isNull(invitations.acceptedAt),
          ),
        );
      // Bound to the account that holds the address now, if any (see isInvitee).
      const [holder] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
      const token = randomBytes(24).toString('base64url');
      const [invitation] = await tx
        .insert(invitations)
        .values({
          organizationId: organization.id,
          email,
          role: input.role,
          tokenHash: hashToken(token),
          invitedBy: actor.userId,
          invitedUserId: holder?.id ?? null,
        })
        .returning();
      await tx.insert(auditLog).values({
        actor: actor.userId,
        action: 'invitation.create',
        organizationId: organization.id,
        detail: { invitation: invitation!.id, email, role: input.role },
      });
      out.push({ invitation: invitation!, token });
    }
    return out;
  });
  for (const { invitation } of created) {
    deps.log.info(
      { organization: organization.slug, invitation: invitation.id, email: invitation.email },
      'invitation created; Supaplane sends no email, so the inviter must pass the join link on',
    );
  }
  return created;
}

/**
 * Withdraws (administrators) or declines (the invited person, who is not a member
 * yet) an invitation. Anyone else learns nothing: 404.
 */
export async function deleteInvitation(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string; id: number } },
): Promise<void> {
  const [row] = await deps.db
    .select({ invitation: invitations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(and(eq(organizations.slug, input.slug), eq(invitations.id, input.id)));
  const invitee = row && (await isInvitee(deps, actor, row.invitation));
  if (!invitee) await requireOrganization(deps, actor, input.slug, 'admin');
  if (!row) throw notFound(`Invitation ${input.id}`);
  await deps.db.delete(invitations).where(eq(invitations.id, row.invitation.id));
  await deps.db.insert(auditLog).values({
    actor: actor.userId,
    action: invitee ? 'invitation.decline' : 'invitation.delete',
    organizationId: row.invitation.organizationId,
    detail: { invitation: row.invitation.id, email: row.invitation.email },
  });
}

/** What Studio's join page asks before offering "Join organization" (InvitationByTokenResponse). */
export interface InvitationCheck {
  tokenExists: boolean;
  expired: boolean;
  emailMatches: boolean;
  invitationId?: number;
  organizationName: string;
}

export async function checkInvitation(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string; token: string } },
): Promise<InvitationCheck> {
  const found = await findByToken(deps, input.slug, input.token);
  if (!found) {
    return { tokenExists: false, expired: false, emailMatches: false, organizationName: '' };
  }
  return {
    tokenExists: true,
    expired: isExpired(found.invitation),
    emailMatches: await isInvitee(deps, actor, found.invitation),
    invitationId: found.invitation.id,
    organizationName: found.organizationName,
  };
}

/**
 * Joins the organization with the invited role. Only the invited identity may (see
 * isInvitee), so a leaked link alone does not let someone else in. Someone already a
 * member keeps their role.
 */
export async function acceptInvitation(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string; token: string } },
): Promise<{ organizationId: number; role: Role }> {
  const found = await findByToken(deps, input.slug, input.token);
  if (!found) throw notFound('Invitation');
  const { invitation } = found;
  if (isExpired(invitation))
    throw new AppError('precondition', 'This invitation has expired; ask for a new one');
  if (!(await isInvitee(deps, actor, invitation))) {
    throw new AppError(
      'forbidden',
      `This invitation is for ${invitation.email}; sign in with that account to accept it`,
    );
  }
  return deps.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(invitations)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt)))
      .returning();
    if (!claimed) throw notFound('Invitation');
    await tx
      .insert(memberships)
      .values({
        organizationId: invitation.organizationId,
        userId: actor.userId,
        role: invitation.role,
      })
      .onConflictDoNothing();
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: 'invitation.accept',
      organizationId: invitation.organizationId,
      detail: { invitation: invitation.id, role: invitation.role },
    });
    return { organizationId: invitation.organizationId, role: invitation.role };
  });
}

/**
 * Whether `actor` is the person invited. An invitation to an address that had an
 * account is bound to that account. One to an address nobody had yet belongs to the
 * account that has the address now, unless that account switched to it after the
 * invitation was made: switching one's email to an invited address and back was how
 * a member of another organization took invitations over (security audit 18.2).
 */
async function isInvitee(
  deps: Pick<Deps, 'db'>,
  actor: Principal,
  invitation: Invitation,
): Promise<boolean> {
  if (invitation.invitedUserId) return invitation.invitedUserId === actor.userId;
  const [user] = await deps.db
    .select({ email: users.email, emailChangedAt: users.emailChangedAt })
    .from(users)
    .where(eq(users.id, actor.userId));
  if (!user || user.email !== invitation.email) return false;
  return !user.emailChangedAt || user.emailChangedAt < invitation.createdAt;
}

async function findByToken(deps: Pick<Deps, 'db'>, slug: string, token: string) {
  const [row] = await deps.db
    .select({ invitation: invitations, organizationName: organizations.name })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(
      and(
        eq(organizations.slug, slug),
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
      ),
    );
  return row;
}
