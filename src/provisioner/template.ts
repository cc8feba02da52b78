import { readFile } from 'node:fs/promises';
import { fromRoot } from '../paths.js';

/** Template for new projects. Existing projects keep the version they were created with. */
export const CURRENT_TEMPLATE_VERSION = 'v1';

/** Per-project secrets, keyed by the exact variable name the compose template references. */
export interface ProjectSecretValues {
  JWT_SECRET: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_KEY: string;
  POSTGRES_PASSWORD: string;
  DASHBOARD_USERNAME: string;
  DASHBOARD_PASSWORD: string;
  SECRET_KEY_BASE: string;
  VAULT_ENC_KEY: string;
  PG_META_CRYPTO_KEY: string;
  LOGFLARE_PUBLIC_ACCESS_TOKEN: string;
  LOGFLARE_PRIVATE_ACCESS_TOKEN: string;
  SUPABASE_PUBLISHABLE_KEY: string;
  SUPABASE_SECRET_KEY: string;
  REALTIME_DB_ENC_KEY: string;
}

export const PROJECT_SECRET_KEYS = [
  'JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_KEY',
  'POSTGRES_PASSWORD',
  'DASHBOARD_USERNAME',
  'DASHBOARD_PASSWORD',
  'SECRET_KEY_BASE',
  'VAULT_ENC_KEY',
  'PG_META_CRYPTO_KEY',
  'LOGFLARE_PUBLIC_ACCESS_TOKEN',
  'LOGFLARE_PRIVATE_ACCESS_TOKEN',
  'SUPABASE_PUBLISHABLE_KEY',
  'SUPABASE_SECRET_KEY',
  'REALTIME_DB_ENC_KEY',
] as const satisfies readonly (keyof ProjectSecretValues)[];

// Fails to compile if a field of ProjectSecretValues is missing from the list above.
type UnlistedSecret = Exclude<keyof ProjectSecretValues, (typeof PROJECT_SECRET_KEYS)[number]>;
const _everySecretListed: [UnlistedSecret] extends [never] ? true : never = true;

export interface TemplateInput {
  ref: string;
  /** `https://<ref>.<domain>`: Kong's public origin. */
  publicUrl: string;
  secrets: ProjectSecretValues;
}

/** Declared (not referenced) by the template: Coolify fills it from the service's domain. */
const COOLIFY_DOMAIN_KEY = 'SERVICE_URL_SUPABASEKONG_8000';

// Values land in Coolify's .env (read by compose, which would interpolate `$`), inside
// Kong's single-quoted Lua strings and, for the password, inside postgres:// URIs.
const SAFE_VALUE = /^[A-Za-z0-9._~+/=-]+$/;
const URI_SAFE_VALUE = /^[A-Za-z0-9._~-]+$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Every variable the template references, ready for Coolify's env bulk API. */
export function templateEnv(input: TemplateInput): Record<string, string> {
  if (!DNS_LABEL.test(input.ref)) throw new Error(`Project ref is not a DNS label: ${input.ref}`);
  const url = new URL(input.publicUrl);
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`publicUrl must be a bare http(s) origin: ${input.publicUrl}`);
  }
  // The origin, without a trailing slash: GoTrue appends /auth/v1/verify etc. to it.
  const origin = url.origin;

  const env: Record<string, string> = {};
  for (const key of PROJECT_SECRET_KEYS) {
    const value = input.secrets[key];
    // Errors name the key only, never the value.
    const pattern = key === 'POSTGRES_PASSWORD' ? URI_SAFE_VALUE : SAFE_VALUE;
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new Error(`Secret ${key} is empty or has characters the template cannot carry`);
    }
    env[key] = value;
  }
  // Realtime uses it as an AES-128 key.
  if (env.REALTIME_DB_ENC_KEY?.length !== 16) {
    throw new Error('Secret REALTIME_DB_ENC_KEY must be exactly 16 characters');
  }
  return {
    ...env,
    PROJECT_REF: input.ref,
    SUPABASE_PUBLIC_URL: origin,
    API_EXTERNAL_URL: origin,
    SITE_URL: origin,
    JWT_EXPIRY: '3600',
  };
}

const cache = new Map<string, Promise<string>>();

/** The compose text of `coolify-templates/supabase/<version>/docker-compose.yaml`. */
export async function loadTemplate(version: string): Promise<string> {
  // The pattern also keeps the version from walking out of the templates folder.
  if (!/^v\d+$/.test(version)) throw new Error(`Invalid template version: ${version}`);
  let text = cache.get(version);
  if (!text) {
    const file = fromRoot('coolify-templates', 'supabase', version, 'docker-compose.yaml');
    text = readFile(file, 'utf8').catch((err: unknown) => {
      cache.delete(version); // cache only successes: a later deploy may add the folder
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw missing ? new Error(`Unknown template version: ${version}`) : err;
    });
    cache.set(version, text);
  }
  return text;
}

/** Names of all `${NAME...}` references, as compose would interpolate them (`$$` escapes). */
export function referencedVariables(compose: string): string[] {
  const names = new Set<string>();
  for (const m of compose.matchAll(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (m[1] && m[1] !== COOLIFY_DOMAIN_KEY) names.add(m[1]);
  }
  return [...names].sort();
}

/** Canonical base64 (standard alphabet, padded, one line), as Coolify's isBase64Encoded wants. */
export function encodeCompose(compose: string): string {
  return Buffer.from(compose, 'utf8').toString('base64');
}
