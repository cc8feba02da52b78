import { hkdfSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Db } from '../db/client.js';
import { instanceSecrets } from '../db/schema/index.js';

const SIGNING_KEY = 'dashboard-signing-key';
export const instanceSecretAad = (name: string) => `instance-secret:${name}`;

/**
 * How the dashboard signing key was made before it was stored: derived from the
 * active encryption key (HKDF keeps the two uses apart). The stored key is seeded
 * with this value, so sessions signed before the upgrade stay valid.
 */
export function dashboardSigningKey(keyring: Keyring): Uint8Array {
  const master = keyring.keys.get(keyring.activeKeyId)!;
  return new Uint8Array(hkdfSync('sha256', master, 'supaplane', 'dashboard-access-token', 32));
}

/**
 * The key that signs dashboard access tokens, kept sealed in `instance_secrets`.
 * It is not re-derived from the encryption key at each start, so rotating that key
 * (which re-seals this row) logs nobody out. The first process to start stores it;
 * the others, and later starts, read it.
 */
export async function loadDashboardSigningKey(db: Db, keyring: Keyring): Promise<Uint8Array> {
  const seed = seal(
    keyring,
    Buffer.from(dashboardSigningKey(keyring)).toString('base64'),
    instanceSecretAad(SIGNING_KEY),
  );
  await db
    .insert(instanceSecrets)
    .values({ name: SIGNING_KEY, ...seed })
    .onConflictDoNothing({ target: instanceSecrets.name });
  const [row] = await db
    .select()
    .from(instanceSecrets)
    .where(eq(instanceSecrets.name, SIGNING_KEY));
  return new Uint8Array(Buffer.from(open(keyring, row!, instanceSecretAad(SIGNING_KEY)), 'base64'));
}
