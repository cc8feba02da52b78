import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  type CipherGCM,
  type DecipherGCM,
} from 'node:crypto';
import { eq } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import { backupKeys } from '../db/schema/index.js';

// The backup id is the AAD: a data key moved to another backup's row fails to open.
export const backupKeyAad = (backupId: number) => `backup-key:${backupId}`;

/**
 * What pg_dump without --create leaves out and a restore must put back: the database's
 * access list and its `ALTER DATABASE … SET` settings (v1 keeps app.settings.jwt_secret
 * there, so they are sealed with the key rather than stored in the clear).
 */
export interface DatabaseProperties {
  /** `pg_database.datacl` as text; null is Postgres' default (PUBLIC may connect). */
  acl: string | null;
  settings: { role: string | null; config: string[] }[];
}

/** A backup's data key and its database's properties, as sealed in backup_keys. */
export interface BackupSecrets {
  key: Buffer;
  database: DatabaseProperties;
}

/**
 * Seals a fresh AES-256 data key for one backup by the keyring like every other secret
 * (so `supaplane keys rotate` re-seals it and a leaked bucket alone opens nothing).
 */
export async function sealBackupSecrets(
  tx: Tx,
  keyring: Keyring,
  backupId: number,
  database: DatabaseProperties,
): Promise<BackupSecrets> {
  const key = randomBytes(32);
  const plaintext = JSON.stringify({ key: key.toString('base64'), database });
  const envelope = seal(keyring, plaintext, backupKeyAad(backupId));
  await tx
    .insert(backupKeys)
    .values({ backupId, ...envelope })
    .onConflictDoUpdate({ target: backupKeys.backupId, set: { ...envelope } });
  return { key, database };
}

export async function openBackupSecrets(
  tx: Tx,
  keyring: Keyring,
  backupId: number,
): Promise<BackupSecrets> {
  const [row] = await tx.select().from(backupKeys).where(eq(backupKeys.backupId, backupId));
  if (!row) throw new Error(`backup ${backupId} has no data key`);
  const parsed = JSON.parse(open(keyring, row, backupKeyAad(backupId))) as {
    key: string;
    database: DatabaseProperties;
  };
  return { key: Buffer.from(parsed.key, 'base64'), database: parsed.database };
}

/** The object AAD binds ciphertext to its backup, so objects cannot be swapped in the bucket. */
const objectAad = (backupId: number) => Buffer.from(`backup-object:${backupId}`);

export function encryptor(key: Buffer, backupId: number): { cipher: CipherGCM; nonce: Buffer } {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(objectAad(backupId));
  return { cipher, nonce };
}

export function decryptor(key: Buffer, backupId: number, nonce: Buffer, tag: Buffer): DecipherGCM {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(objectAad(backupId));
  decipher.setAuthTag(tag);
  return decipher;
}
