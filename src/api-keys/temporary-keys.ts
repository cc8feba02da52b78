import type { Deps } from '../context.js';
import type { Project } from '../db/schema/index.js';
import { invalid, precondition } from '../errors.js';
import { signRoleKey } from '../secrets/generate.js';
import { loadProjectSecrets } from '../secrets/store.js';
import type { Access } from '../members/access.js';

/**
 * Short-lived API keys for the browser: Studio's storage explorer uploads and
 * realtime inspector talk to the project directly with one. They are ordinary
 * role JWTs signed with the project's JWT secret, so the stack needs no change.
 */

export const TEMPORARY_KEY_DEFAULT_SECONDS = 300;
/** Studio documents an hour as the maximum; longer requests are cut to it. */
export const TEMPORARY_KEY_MAX_SECONDS = 3600;

export const TEMPORARY_KEY_ROLES = ['anon', 'service_role'] as const;
export type TemporaryKeyRole = (typeof TEMPORARY_KEY_ROLES)[number];

/** A service_role key bypasses row-level security, so only members who may change data get one. */
export const accessForRole = (role: TemporaryKeyRole): Access =>
  role === 'service_role' ? 'write' : 'read';

/** Reads Studio's `claims` query value, a JSON object such as `{"role":"service_role"}`. */
export function parseTemporaryKeyClaims(raw: string | undefined): { role: TemporaryKeyRole } {
  if (raw === undefined || raw === '') return { role: 'service_role' };
  let claims: unknown;
  try {
    claims = JSON.parse(raw);
  } catch {
    throw invalid('claims must be a JSON object such as {"role":"service_role"}');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw invalid('claims must be a JSON object such as {"role":"service_role"}');
  }
  const role = (claims as { role?: unknown }).role;
  if (!TEMPORARY_KEY_ROLES.includes(role as TemporaryKeyRole)) {
    throw invalid(`claims.role must be one of: ${TEMPORARY_KEY_ROLES.join(', ')}`);
  }
  const extra = Object.keys(claims).filter((k) => k !== 'role');
  if (extra.length) throw invalid(`Only the role claim may be set (got ${extra.join(', ')})`);
  return { role: role as TemporaryKeyRole };
}

/** Seconds from Studio's `authorization_exp`: a positive integer, capped at an hour. */
export function parseTemporaryKeyLifetime(raw: string | undefined): number {
  if (raw === undefined || raw === '') return TEMPORARY_KEY_DEFAULT_SECONDS;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw invalid('authorization_exp must be a whole number of seconds, at least 1');
  }
  return Math.min(Number(raw), TEMPORARY_KEY_MAX_SECONDS);
}

export async function mintTemporaryKey(
  deps: Pick<Deps, 'db' | 'keyring'>,
  input: { project: Pick<Project, 'id' | 'ref'>; role: TemporaryKeyRole; lifetimeSeconds: number },
): Promise<{ api_key: string; expires_at: number }> {
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, input.project.id);
  if (!secrets) throw precondition(`Project ${input.project.ref} has no keys yet`);
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Math.min(input.lifetimeSeconds, TEMPORARY_KEY_MAX_SECONDS);
  return {
    api_key: await signRoleKey(secrets.JWT_SECRET, input.role, now, lifetime),
    expires_at: now + lifetime,
  };
}
