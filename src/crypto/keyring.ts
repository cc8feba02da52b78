import type { Keyring } from './envelope.js';

/** The id `SUPAPLANE_ENCRYPTION_KEY` (a single key) has always sealed under. */
export const LEGACY_KEY_ID = 'k1';

export interface KeySpec {
  id: string;
  /** 32 bytes, base64. */
  key: string;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * `SUPAPLANE_ENCRYPTION_KEYS`: entries `id:base64key`, separated by commas or new
 * lines (a keys file holds one per line). The first is the active key, which seals
 * every new envelope; the others are retired keys, kept only to open older
 * envelopes until `supaplane keys rotate` has re-sealed them.
 * Returns the problems found, or the keys.
 */
export function parseKeyList(raw: string): { keys: KeySpec[] } | { problems: string[] } {
  const problems: string[] = [];
  const keys: KeySpec[] = [];
  const entries = raw
    .split(/[,\n]/)
    .map((e) => e.trim())
    .filter((e) => e && !e.startsWith('#'));
  if (entries.length === 0) problems.push('lists no key');
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    const key = colon > 0 ? entry.slice(colon + 1).trim() : '';
    // Never echo the entry: it is a key.
    if (!KEY_ID.test(id)) {
      problems.push(
        `entry ${i + 1} must be <id>:<base64 key> with an id of letters, digits, . _ -`,
      );
    } else if (Buffer.from(key, 'base64').length !== 32) {
      problems.push(`key ${id} must be 32 bytes encoded as base64 (openssl rand -base64 32)`);
    } else if (keys.some((k) => k.id === id)) {
      problems.push(`key id ${id} appears twice`);
    } else keys.push({ id, key });
  }
  return problems.length ? { problems } : { keys };
}

/** The active key first, then the retired ones. */
export function keyringFromSpecs(specs: readonly KeySpec[]): Keyring {
  const [active] = specs;
  if (!active) throw new Error('a keyring needs at least one key');
  const keys = new Map<string, Buffer>();
  for (const s of specs) {
    const key = Buffer.from(s.key, 'base64');
    if (key.length !== 32) throw new Error(`encryption key ${s.id} must be 32 bytes`);
    keys.set(s.id, key);
  }
  return { activeKeyId: active.id, keys };
}

/**
 * The keyring a deployment runs with: `SUPAPLANE_ENCRYPTION_KEYS` when set, else
 * `SUPAPLANE_ENCRYPTION_KEY` as the one active key `k1`, else (embedded database
 * only) the key generated into the data dir, also `k1`.
 */
export function keyringFromConfig(
  config: { SUPAPLANE_ENCRYPTION_KEYS?: KeySpec[]; SUPAPLANE_ENCRYPTION_KEY?: string },
  localKey: () => string,
): Keyring {
  if (config.SUPAPLANE_ENCRYPTION_KEYS) return keyringFromSpecs(config.SUPAPLANE_ENCRYPTION_KEYS);
  return keyringFromSpecs([
    { id: LEGACY_KEY_ID, key: config.SUPAPLANE_ENCRYPTION_KEY ?? localKey() },
  ]);
}

export const retiredKeyIds = (keyring: Keyring) =>
  [...keyring.keys.keys()].filter((id) => id !== keyring.activeKeyId);
