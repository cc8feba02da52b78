import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { users, type User } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { insertOrganizationWithOwner } from '../organizations/organizations.js';
import { defaultUsername, insertProfile } from './profile.js';
import { hashPassword } from '../auth/passwords.js';
import { createUser, normalizeEmail } from './users.js';

const signupDisabled = (what: string) =>
  new AppError(
    'forbidden',
    `${what} is disabled on this Supaplane (SUPAPLANE_ALLOW_SIGNUP is not true). Ask an administrator for an account.`,
  );

/**
 * `POST /platform/signup`, only when SUPAPLANE_ALLOW_SIGNUP=true. The new user gets
 * a profile and an organization of their own. An address that is already
 * registered gets the same answer as a new one, so sign-up cannot be used to find
 * out who has an account.
 */
export async function signUp(
  deps: Pick<Deps, 'db' | 'config' | 'log'>,
  { input }: { input: { email: string; password: string } },
): Promise<void> {
  if (!deps.config.SUPAPLANE_ALLOW_SIGNUP) throw signupDisabled('Sign-up');
  const email = normalizeEmail(input.email);
  const [existing] = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email));
  if (existing) {
    // The same scrypt a new account costs, so timing does not tell them apart either
    // (security audit 18.7: 2 ms against 92 ms).
    await hashPassword(input.password);
    deps.log.info({ email }, 'sign-up for an address that already has an account; nothing done');
    return;
  }
  let user: User;
  try {
    user = await createUser(deps, { email, password: input.password });
  } catch (err) {
    // Lost a race with a concurrent sign-up for the same address: same answer as above.
    if (err instanceof AppError && err.code === 'conflict') return;
    throw err;
  }
  await provisionPersonalWorkspace(deps, user, `${defaultUsername(email)}'s Organization`);
  deps.log.info({ email }, 'dashboard user signed up');
}

/** A profile and, unless the user already belongs to one, an organization they own. */
export async function provisionPersonalWorkspace(
  deps: Pick<Deps, 'db'>,
  user: User,
  organizationName: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await insertProfile(tx, user);
    await insertOrganizationWithOwner(tx, {
      name: organizationName,
      ownerId: user.id,
      actor: user.id,
    });
  });
}

/**
 * `POST /platform/reset-password`. Supaplane cannot send mail, so this only tells
 * the operator, in the log, that someone asked; the answer never says whether the
 * address has an account.
 */
export async function requestPasswordReset(
  deps: Pick<Deps, 'db' | 'config' | 'log'>,
  { input }: { input: { email: string } },
): Promise<void> {
  if (!deps.config.SUPAPLANE_ALLOW_SIGNUP) throw signupDisabled('Password reset');
  const email = normalizeEmail(input.email);
  const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  deps.log.warn(
    { email, accountExists: Boolean(user) },
    'password reset requested: Supaplane cannot send email; an operator must set a new password for this account',
  );
}
