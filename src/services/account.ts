import { and, eq, isNull, max, ne } from 'drizzle-orm';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { sessions, users, type User } from '../db/schema/index.js';
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
  const [last] = await deps.db
    .select({ at: max(sessions.createdAt) })
    .from(sessions)
    .where(eq(sessions.userId, user.id));
  return { user, lastSignInAt: last?.at ?? null };
}

export interface AccountChanges {
  email?: string;
  password?: string;
}

/**
 * `PUT /user`: change the email or password. Without SMTP there is no
 * confirmation mail, so an email change applies at once. A password change ends
 * the user's other sessions: whoever knew the old password is signed out.
 */
export async function updateAccount(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: AccountChanges },
): Promise<Account> {
  const sessionId = requireSessionId(principal);
  const { user } = await getAccount(deps, principal);
  const changes: Partial<Pick<User, 'email' | 'passwordHash'>> = {};
  if (input.email !== undefined && normalizeEmail(input.email) !== user.email) {
    const email = normalizeEmail(input.email);
    if (!isValidEmail(email)) throw invalid('A valid email address is required');
    changes.email = email;
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
  if (Object.keys(changes).length > 0) {
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
        const others = await tx
          .select({ id: sessions.id })
          .from(sessions)
          .where(
            and(
              eq(sessions.userId, user.id),
              ne(sessions.id, sessionId),
              isNull(sessions.revokedAt),
            ),
          );
        await revokeSessions(
          tx,
          others.map((s) => s.id),
        );
      }
    });
  }
  return getAccount(deps, principal);
}
