import { hkdfSync } from 'node:crypto';
import type { Keyring } from '../crypto/envelope.js';

/**
 * The key that signs dashboard access tokens, derived from the encryption key so
 * an operator manages one secret. HKDF keeps the two uses cryptographically apart.
 */
export function dashboardSigningKey(keyring: Keyring): Uint8Array {
  const master = keyring.keys.get(keyring.activeKeyId)!;
  return new Uint8Array(hkdfSync('sha256', master, 'supaplane', 'dashboard-access-token', 32));
}
