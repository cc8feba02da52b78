import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope. The key id travels with the ciphertext so keys can be
 * rotated: new writes use the active key, old rows stay readable by their id
 * while their key is loaded as a retired key (src/crypto/keyring.ts), and
 * `supaplane keys rotate` (src/keys/rotate.ts) re-seals them under the active key.
 */
export interface Envelope {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export interface Keyring {
  /** Seals every new envelope. */
  activeKeyId: string;
  /** The active key and every retired key still loaded to open older envelopes. */
  keys: ReadonlyMap<string, Buffer>;
}

export function keyringFromBase64(base64Key: string, keyId = 'k1'): Keyring {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  return { activeKeyId: keyId, keys: new Map([[keyId, key]]) };
}

export function seal(keyring: Keyring, plaintext: string, aad: string): Envelope {
  const key = keyring.keys.get(keyring.activeKeyId);
  if (!key) throw new Error(`active key ${keyring.activeKeyId} missing from keyring`);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  // The AAD binds a ciphertext to its row (e.g. the project id), so envelopes
  // cannot be swapped between projects in the database.
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId: keyring.activeKeyId, nonce, ciphertext, tag: cipher.getAuthTag() };
}

export function open(keyring: Keyring, envelope: Envelope, aad: string): string {
  const key = keyring.keys.get(envelope.keyId);
  if (!key) throw new Error(`no key ${envelope.keyId} in keyring`);
  const decipher = createDecipheriv('aes-256-gcm', key, envelope.nonce);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(envelope.tag);
  return Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString('utf8');
}
