import { and, eq, isNull, max, ne } from 'drizzle-orm';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { accessTokens, sessions, users, type User } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import { authFailure, requireSessionId, revokeSessions } from './sessions.js';
import { isValidEmail, normalizeEmail } from './users.js';
import { isUniqueViolation } from '../db/errors.js';

/** The signed-in dashboard user, as GoTrue's `/user` describes it. */
export interface Account {
  user: User;
  lastSignInAt: Date | null;
}

export const MIN_PASSWORD_LENGTH = 8;

export async function getAccount(deps: Pick<Deps, 'db'>, principal: Principal): Promise<Account> {
  requireSessionId(principal);
  const [user] = await deps.db.select().from(users).where(eq(users.id, principal.userId));
  if (!user) throw notFound('User');
  return { user, lastSignInAt: await getLastSignIn(deps, user.id) };
}

async function getLastSignIn(deps: Pick<Deps, 'db'>, userId: string): Promise<Date | null> {
  const [last] = await deps.db
    .select({ at: max(sessions.createdAt) })
    .from(sessions)
    .where(eq(sessions.userId, userId));
  return last?.at ?? null;
}

export interface AccountChanges {
  email?: string;
  password?: string;
  /** GoTrue's `current_password`, which Studio's change-password form sends. */
  currentPassword?: string;
}

/** A session younger than this counts as a fresh sign-in: no current password needed. */
export const RECENT_LOGIN_MS = 10 * 60_000;

/**
 * `PUT /user`: change the email or password. Whoever holds only a stolen access
 * token must not be able to take the account over, so both changes need the current
 * password (GoTrue's UpdatePasswordRequireCurrentPassword,
 * internal/api/user.go:173-185@bc32168e) unless this session signed in within
 * RECENT_LOGIN_MS. A password change ends the user's other sessions and revokes their
 * personal access tokens: whoever knew the old password is shut out. There is no
 * SMTP to confirm a new email, so an email change ends every session, this one
 * included: the user signs in again with the new address.
 */
export async function updateAccount(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: AccountChanges },
): Promise<Account> {
  const sessionId = requireSessionId(principal);
  const { user } = await getAccount(deps, principal);
  const changes: Partial<Pick<User, 'email' | 'passwordHash' | 'emailChangedAt'>> = {};
  if (input.email !== undefined && normalizeEmail(input.email) !== user.email) {
    const email = normalizeEmail(input.email);
    if (!isValidEmail(email)) throw invalid('A valid email address is required');
    changes.email = email;
    changes.emailChangedAt = new Date();
  }
  if (input.password !== undefined) {
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw authFailure(
        'validation',
        'weak_password',
        `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`,
      );
    }
    if (await verifyPassword(input.password, user.passwordHash)) {
      throw authFailure(
        'validation',
        'same_password',
        'New password should be different from the old password.',
      );
    }
    changes.passwordHash = await hashPassword(input.password);
  }
  if (Object.keys(changes).length === 0) return getAccount(deps, principal);
  await requireReauthentication(deps, { user, sessionId, currentPassword: input.currentPassword });
  await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(users)
      .set(changes)
      .where(eq(users.id, user.id))
      .returning({ id: users.id })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) {
          throw authFailure(
            'conflict',
            'email_exists',
            'A user with this email address has already been registered',
          );
        }
        throw err;
      });
    if (!updated) throw notFound('User');
    if (changes.passwordHash) {
      await tx.delete(accessTokens).where(eq(accessTokens.userId, user.id));
    }
    const live = and(eq(sessions.userId, user.id), isNull(sessions.revokedAt));
    const ending = changes.email
      ? live
      : changes.passwordHash
        ? and(live, ne(sessions.id, sessionId))
        : undefined;
    if (ending) {
      const ended = await tx.select({ id: sessions.id }).from(sessions).where(ending);
      await revokeSessions(
        tx,
        ended.map((s) => s.id),
      );
    }
  });
  return { user: { ...user, ...changes }, lastSignInAt: await getLastSignIn(deps, user.id) };
}

/** The current password, or a session that signed in within RECENT_LOGIN_MS. */
async function requireReauthentication(
  deps: Pick<Deps, 'db'>,
  args: { user: User; sessionId: string; currentPassword?: string },
): Promise<void> {
  if (args.currentPassword) {
    if (await verifyPassword(args.currentPassword, args.user.passwordHash)) return;
    throw authFailure(
      'validation',
      'current_password_mismatch',
      'Current password required when setting new password.',
    );
  }
  const [session] = await deps.db
    .select({ createdAt: sessions.createdAt })
    .from(sessions)
    .where(eq(sessions.id, args.sessionId));
  if (session && Date.now() - session.createdAt.getTime() < RECENT_LOGIN_MS) return;
  throw authFailure(
    'validation',
    'current_password_required',
    'Current password required when changing the email or password; ' +
      'send current_password, or sign in again and retry',
  );
}
