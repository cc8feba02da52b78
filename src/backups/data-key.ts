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
 * A fresh AES-256 data key for one backup, stored sealed by the keyring like every other
 * secret (so `supaplane keys rotate` re-seals it and a leaked bucket alone opens nothing).
 */
export async function newDataKey(tx: Tx, keyring: Keyring, backupId: number): Promise<Buffer> {
  const key = randomBytes(32);
  const envelope = seal(keyring, key.toString('base64'), backupKeyAad(backupId));
  await tx
    .insert(backupKeys)
    .values({ backupId, ...envelope })
    .onConflictDoUpdate({ target: backupKeys.backupId, set: { ...envelope } });
  return key;
}

export async function loadDataKey(tx: Tx, keyring: Keyring, backupId: number): Promise<Buffer> {
  const [row] = await tx.select().from(backupKeys).where(eq(backupKeys.backupId, backupId));
  if (!row) throw new Error(`backup ${backupId} has no data key`);
  return Buffer.from(open(keyring, row, backupKeyAad(backupId)), 'base64');
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
