import { SETTINGS } from '../settings/env-mapping.js';
import type { TemplateInput } from './template.js';
import { checkedOrigin, checkedSecrets } from './template-values.js';

/** Secrets only v2 has: one password per service login role (C3). */
export interface V2Secrets {
  /** The superuser's: only Realtime logs in as supabase_admin. */
  SUPABASE_ADMIN_PASSWORD: string;
  /** PostgREST's login role. */
  AUTHENTICATOR_PASSWORD: string;
  /** supabase_auth_admin, GoTrue's. */
  AUTH_ADMIN_PASSWORD: string;
  /** supabase_storage_admin, storage-api's. */
  STORAGE_ADMIN_PASSWORD: string;
  /** pgbouncer, the pooler's auth user: it may only call pgbouncer.get_auth. */
  PGBOUNCER_PASSWORD: string;
}

export const V2_SECRET_KEYS = [
  'JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_KEY',
  'SUPABASE_PUBLISHABLE_KEY',
  'SUPABASE_SECRET_KEY',
  'POSTGRES_PASSWORD',
  'SUPABASE_ADMIN_PASSWORD',
  'AUTHENTICATOR_PASSWORD',
  'AUTH_ADMIN_PASSWORD',
  'STORAGE_ADMIN_PASSWORD',
  'PGBOUNCER_PASSWORD',
  'SECRET_KEY_BASE',
  'PG_META_CRYPTO_KEY',
  'REALTIME_DB_ENC_KEY',
] as const;

/** Where Supaplane delivers a user's function secret `<name>` (only `main` reads it). */
export const FUNCTION_SECRET_PREFIX = 'SUPAPLANE_FN_';

/** The database host name the project's direct connection string uses. */
export const dbHostOf = (origin: string) => `db.${new URL(origin).host}`;

/**
 * v2's env rows. Every row is named after the key its container reads, and the
 * compose references it as KEY=<KEY> (or inside a URL), so Coolify never copies a
 * value into the compose it stores (coolify audit D8); one secret is therefore
 * delivered under each name a container reads it by.
 */
export function templateEnvV2(input: TemplateInput): Record<string, string> {
  const origin = checkedOrigin(input);
  const s = checkedSecrets(input.secrets, V2_SECRET_KEYS) as Record<
    (typeof V2_SECRET_KEYS)[number],
    string
  >;
  // Delivered under the names their containers read (below), not their own.
  const { PG_META_CRYPTO_KEY: _meta, REALTIME_DB_ENC_KEY: _realtime, ...direct } = s;
  return {
    ...direct,
    ...editableDefaults(origin),
    // <public origin>/auth/v1: links in e-mails and OAuth callbacks go through Kong.
    API_EXTERNAL_URL: `${origin}/auth/v1`,
    // GoTrue's own default issuer would be API_EXTERNAL_URL; set it explicitly.
    GOTRUE_JWT_ISSUER: `${origin}/auth/v1`,
    // The token lifetime the other services read (the setting changes GoTrue's only).
    PGRST_APP_SETTINGS_JWT_EXP: JWT_EXPIRY,
    JWT_EXP: JWT_EXPIRY,
    PROJECT_REF: input.ref,
    // Not DB_HOST: Realtime reads that name (every container gets every row).
    SUPAPLANE_DB_HOST: dbHostOf(origin),
    SUPABASE_PUBLIC_URL: origin,
    // auth
    GOTRUE_JWT_SECRET: s.JWT_SECRET,
    // rest (storage-api reads it too, as its fallback: the same value)
    PGRST_JWT_SECRET: s.JWT_SECRET,
    // realtime
    DB_PASSWORD: s.SUPABASE_ADMIN_PASSWORD,
    DB_ENC_KEY: s.REALTIME_DB_ENC_KEY,
    API_JWT_SECRET: s.JWT_SECRET,
    METRICS_JWT_SECRET: s.JWT_SECRET,
    // storage
    ANON_KEY: s.SUPABASE_ANON_KEY,
    AUTH_JWT_SECRET: s.JWT_SECRET,
    STORAGE_PUBLIC_URL: origin,
    // meta: the user's postgres role, not the superuser (C2)
    PG_META_DB_PASSWORD: s.POSTGRES_PASSWORD,
    CRYPTO_KEY: s.PG_META_CRYPTO_KEY,
    // functions
    SUPABASE_SERVICE_ROLE_KEY: s.SUPABASE_SERVICE_KEY,
    VERIFY_JWT: 'false',
    ...functionsDelivery(input),
  };
}

/** The main service's way to Supaplane (docs/adr/0005-edge-functions.md). */
function functionsDelivery(input: TemplateInput): Record<string, string> {
  const { url, token } = input.functions ?? {};
  if (url === undefined || !token || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new Error(`project ${input.ref}: template v2 needs a function delivery URL and token`);
  }
  if (url !== '' && !/^https?:\/\/[^\s'"$]+$/.test(url)) {
    throw new Error(
      `project ${input.ref}: function delivery URL ${url} is not a plain http(s) URL`,
    );
  }
  return { SUPAPLANE_FUNCTIONS_URL: url, SUPAPLANE_FUNCTIONS_TOKEN: token };
}

/**
 * Container variables v2 reads as `${KEY}` because Studio and /v1 edit them
 * (src/settings/env-mapping.ts SETTINGS, the one list of settings and defaults); a
 * project starts with the setting's default, and a stored setting is written over it
 * under the same name (src/settings/stack-env.ts).
 */
const EDITABLE = [
  'GOTRUE_SITE_URL',
  'GOTRUE_URI_ALLOW_LIST',
  'GOTRUE_DISABLE_SIGNUP',
  'GOTRUE_JWT_EXP',
  'GOTRUE_EXTERNAL_EMAIL_ENABLED',
  'GOTRUE_MAILER_AUTOCONFIRM',
  'GOTRUE_EXTERNAL_PHONE_ENABLED',
  'GOTRUE_SMS_AUTOCONFIRM',
  'GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED',
  'GOTRUE_SMTP_ADMIN_EMAIL',
  'GOTRUE_SMTP_HOST',
  'GOTRUE_SMTP_PORT',
  'GOTRUE_SMTP_USER',
  'GOTRUE_SMTP_PASS',
  'GOTRUE_SMTP_SENDER_NAME',
  'PGRST_DB_SCHEMAS',
  'PGRST_DB_EXTRA_SEARCH_PATH',
  'PGRST_DB_MAX_ROWS',
  'FILE_SIZE_LIMIT',
];

/**
 * What v2 renders for a setting whose default is "not set" (null): the project's
 * URL for SITE_URL (its default, env-mapping.ts); GoTrue parses the SMTP port as an
 * integer even without a host, so never empty; otherwise empty.
 */
const UNSET: Record<string, (origin: string) => string> = {
  GOTRUE_SITE_URL: (origin) => origin,
  GOTRUE_SMTP_PORT: () => '587',
};

const field = (container: string) => {
  const found = SETTINGS.find((f) => f.container === container);
  if (!found) throw new Error(`No setting for ${container}`);
  return found;
};
// Checked when the module loads: every editable variable is a setting.
const EDITABLE_FIELDS = EDITABLE.map(field);
const JWT_EXPIRY = String(field('GOTRUE_JWT_EXP').default);

function editableDefaults(origin: string): Record<string, string> {
  return Object.fromEntries(
    EDITABLE_FIELDS.map((f) => [
      f.container,
      f.default === null ? (UNSET[f.container]?.(origin) ?? '') : String(f.default),
    ]),
  );
}
