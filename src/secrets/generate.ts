import { createHash, randomInt } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ProjectSecretValues } from '../provisioner/template.js';

/** Every secret a project's stack needs, keyed by the env name the template uses. */
export type ProjectSecrets = ProjectSecretValues;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Uniform random letters and digits. Values stay inside [A-Za-z0-9._-] so that
 * Coolify's .env escaping and compose interpolation can never alter them.
 */
export function randomAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** A legacy Supabase API key: an HS256 JWT as Supabase's generate-keys script makes. */
export async function signRoleKey(
  jwtSecret: string,
  role: 'anon' | 'service_role',
  now = Math.floor(Date.now() / 1000),
  ttlSeconds = TEN_YEARS_S,
): Promise<string> {
  return new SignJWT({ role, iss: 'supabase' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(jwtSecret));
}

/** `sb_publishable_<22>_<8>` / `sb_secret_<22>_<8>`, the new opaque key format. */
export function opaqueKey(prefix: 'sb_publishable_' | 'sb_secret_'): string {
  const body = randomAlnum(22);
  const checksum = createHash('sha256')
    .update(prefix + body)
    .digest('base64url')
    .replace(/[-_]/g, '')
    .slice(0, 8);
  return `${prefix}${body}_${checksum}`;
}

/** Every secret a project on `version` uses, and nothing it does not use (C8). */
export async function generateProjectSecrets(version: string): Promise<ProjectSecrets> {
  const jwtSecret = randomAlnum(48);
  const common = {
    JWT_SECRET: jwtSecret,
    SUPABASE_ANON_KEY: await signRoleKey(jwtSecret, 'anon'),
    SUPABASE_SERVICE_KEY: await signRoleKey(jwtSecret, 'service_role'),
    POSTGRES_PASSWORD: randomAlnum(32),
    SECRET_KEY_BASE: randomAlnum(64),
    PG_META_CRYPTO_KEY: randomAlnum(32),
    SUPABASE_PUBLISHABLE_KEY: opaqueKey('sb_publishable_'),
    SUPABASE_SECRET_KEY: opaqueKey('sb_secret_'),
    // Realtime uses it as an AES-128 key, so it must be exactly 16 characters.
    REALTIME_DB_ENC_KEY: randomAlnum(16),
  };
  if (version === 'v1') {
    return {
      ...common,
      DASHBOARD_USERNAME: 'supabase',
      DASHBOARD_PASSWORD: randomAlnum(32),
      VAULT_ENC_KEY: randomAlnum(32),
      LOGFLARE_PUBLIC_ACCESS_TOKEN: randomAlnum(32),
      LOGFLARE_PRIVATE_ACCESS_TOKEN: randomAlnum(32),
    };
  }
  if (version === 'v2') {
    return {
      ...common,
      SUPABASE_ADMIN_PASSWORD: randomAlnum(32),
      AUTHENTICATOR_PASSWORD: randomAlnum(32),
      AUTH_ADMIN_PASSWORD: randomAlnum(32),
      STORAGE_ADMIN_PASSWORD: randomAlnum(32),
      PGBOUNCER_PASSWORD: randomAlnum(32),
    };
  }
  throw new Error(`Unknown template version: ${version}`);
}
