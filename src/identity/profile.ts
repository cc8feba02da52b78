import { eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { profiles, users, type Profile, type User } from '../db/schema/index.js';
import { AppError, conflict, invalid, notFound } from '../errors.js';

/**
 * Dashboard features Supaplane does not offer, hidden through the profile's
 * `disabled_features` (Studio's `useIsFeatureEnabled` checks set membership, so the
 * build-time key `billing:all` works too). Billing has no backend; project
 * transfer between organizations is not implemented; Edge Functions cannot be
 * deployed through Supaplane yet; custom hostnames are not offered (the Settings →
 * General panel would otherwise offer a form whose calls have no backend).
 */
export const DISABLED_FEATURES = [
  'billing:all',
  'billing:account_data',
  'billing:credits',
  'billing:invoices',
  'billing:payment_methods',
  'projects:transfer',
  'project_edge_function:all',
  'project_settings:custom_domains',
] as const;

export interface ProfileView {
  profile: Profile;
  user: User;
}

/** Studio matches this exact message to decide to create the profile (POST /platform/profile). */
export const PROFILE_NOT_FOUND = "User's profile not found";

export async function getProfile(
  deps: Pick<Deps, 'db'>,
  principal: Principal,
): Promise<ProfileView> {
  const [row] = await deps.db
    .select({ profile: profiles, user: users })
    .from(users)
    .leftJoin(profiles, eq(profiles.userId, users.id))
    .where(eq(users.id, principal.userId));
  if (!row) throw notFound('User');
  if (!row.profile) throw new AppError('not_found', PROFILE_NOT_FOUND);
  return { profile: row.profile, user: row.user };
}

/** First sign-in: Studio answers the 404 above with `POST /platform/profile` and `{}`. */
export async function createProfile(
  deps: Pick<Deps, 'db'>,
  principal: Principal,
): Promise<ProfileView> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, principal.userId));
  if (!user) throw notFound('User');
  const profile = await insertProfile(deps.db, user);
  if (!profile) throw conflict('This user already has a profile');
  return { profile, user };
}

/** Inserts the default profile; undefined when one exists already (idempotent for bootstrap). */
export async function insertProfile(db: Tx, user: User): Promise<Profile | undefined> {
  const [profile] = await db
    .insert(profiles)
    .values({ userId: user.id, username: defaultUsername(user.email) })
    .onConflictDoNothing()
    .returning();
  return profile;
}

export interface ProfileChanges {
  username?: string;
  firstName?: string;
  lastName?: string;
}

export async function updateProfile(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: ProfileChanges },
): Promise<ProfileView> {
  const current = await getProfile(deps, principal);
  const username = input.username?.trim();
  if (username !== undefined && !/^[\w.-]{1,64}$/.test(username)) {
    throw invalid('Username must be 1–64 letters, digits, dots, dashes or underscores');
  }
  const changes = {
    ...(username !== undefined ? { username } : {}),
    ...(input.firstName !== undefined ? { firstName: input.firstName.trim() } : {}),
    ...(input.lastName !== undefined ? { lastName: input.lastName.trim() } : {}),
  };
  if (Object.keys(changes).length === 0) return current;
  const [profile] = await deps.db
    .update(profiles)
    .set(changes)
    .where(eq(profiles.id, current.profile.id))
    .returning();
  return { profile: profile!, user: current.user };
}

/** The part of the email before `@`, as a readable default username. */
export function defaultUsername(email: string): string {
  return (email.split('@')[0] ?? '').replace(/[^\w.-]/g, '').slice(0, 64) || 'user';
}
