import { hashPassword } from '../auth/passwords.js';
import type { Deps } from '../context.js';
import { memberships, users, type Role, type User } from '../db/schema/index.js';
import { conflict, invalid } from '../errors.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** For a normalized email; `@localhost` addresses are allowed for local installs. */
export const isValidEmail = (email: string) =>
  /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) || /^[^@\s]+@localhost$/.test(email);

export async function createUser(
  deps: Pick<Deps, 'db'>,
  input: { email: string; password: string },
): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!isValidEmail(email)) throw invalid('A valid email address is required');
  if (input.password.length < 8) throw invalid('Password must be at least 8 characters');
  const passwordHash = await hashPassword(input.password);
  const [row] = await deps.db
    .insert(users)
    .values({ email, passwordHash })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflict('A user with this email address already exists');
  return row;
}

export async function addMember(
  deps: Pick<Deps, 'db'>,
  input: { organizationId: number; userId: string; role: Role },
): Promise<void> {
  await deps.db
    .insert(memberships)
    .values(input)
    .onConflictDoUpdate({
      target: [memberships.organizationId, memberships.userId],
      set: { role: input.role },
    });
}
