import { eq, sql } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { memberships, users, type User } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { insertOrganizationWithOwner } from '../organizations/organizations.js';
import { insertProfile } from './profile.js';
import { createUser, normalizeEmail } from './users.js';

export const DEFAULT_ORGANIZATION_NAME = 'Default Organization';

// Serializes concurrent start-ups, so two processes do not both create the organization.
const BOOTSTRAP_LOCK = 727275;

/**
 * The first owner, from SUPAPLANE_ADMIN_EMAIL / SUPAPLANE_ADMIN_PASSWORD, run at
 * every start-up. Idempotent: an existing user is kept as is (its password is
 * never reset from the environment, so changing it in the dashboard sticks); it
 * gets a profile if missing, and a "Default Organization" it owns only when it
 * belongs to no organization at all.
 */
export async function ensureAdmin(
  deps: Pick<Deps, 'db' | 'config' | 'log'>,
): Promise<{ user: User; created: boolean } | undefined> {
  const { SUPAPLANE_ADMIN_EMAIL: rawEmail, SUPAPLANE_ADMIN_PASSWORD: password } = deps.config;
  if (!rawEmail || !password) return undefined;
  const email = normalizeEmail(rawEmail);
  let created = false;
  let user = await findUser(deps, email);
  if (!user) {
    try {
      user = await createUser(deps, { email, password });
      created = true;
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
      user = await findUser(deps, email); // another process created it first
    }
  }
  if (!user) throw new Error(`admin user ${email} vanished during start-up`);
  const admin = user;
  const organization = await deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    await insertProfile(tx, admin);
    const [member] = await tx
      .select({ organizationId: memberships.organizationId })
      .from(memberships)
      .where(eq(memberships.userId, admin.id))
      .limit(1);
    if (member) return undefined;
    return insertOrganizationWithOwner(tx, {
      name: DEFAULT_ORGANIZATION_NAME,
      ownerId: admin.id,
      actor: 'system',
    });
  });
  if (created || organization) {
    deps.log.info(
      { email, userCreated: created, organization: organization?.slug },
      'admin account bootstrapped',
    );
  }
  return { user: admin, created };
}

async function findUser(deps: Pick<Deps, 'db'>, email: string): Promise<User | undefined> {
  const [row] = await deps.db.select().from(users).where(eq(users.email, email));
  return row;
}
