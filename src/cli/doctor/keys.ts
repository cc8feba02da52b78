import type { Keyring } from '../../crypto/envelope.js';
import type { Db } from '../../db/client.js';
import { envelopeUsage } from '../../keys/rotate.js';
import { fail, ok, warn, type Check } from './check.js';

const TITLE = 'Every secret sealed with the active key';

/** Fails on envelopes no loaded key can open; warns while any still uses a retired key. */
export async function envelopeKeyCheck(db: Db, keyring: Keyring): Promise<Check> {
  const old = (await envelopeUsage(db)).filter((u) => u.keyId !== keyring.activeKeyId);
  const list = (keyIds: Set<string>) =>
    old
      .filter((u) => keyIds.has(u.keyId))
      .map((u) => `${u.count} in ${u.table} under ${u.keyId}`)
      .join(', ');
  const missing = new Set(old.map((u) => u.keyId).filter((id) => !keyring.keys.has(id)));
  if (missing.size) {
    return fail(
      TITLE,
      `no loaded key opens ${list(missing)}`,
      `add ${[...missing].join(', ')} to SUPAPLANE_ENCRYPTION_KEYS as retired keys (id:key after the active one)`,
    );
  }
  const retired = new Set(old.map((u) => u.keyId));
  if (retired.size) {
    return warn(
      TITLE,
      `still under a retired key: ${list(retired)}`,
      'run `supaplane keys rotate`, then remove the retired key from SUPAPLANE_ENCRYPTION_KEYS',
    );
  }
  return ok(TITLE, keyring.activeKeyId);
}
