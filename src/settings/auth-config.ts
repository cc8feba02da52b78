import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { invalid } from '../errors.js';
import { fieldsOf, OAUTH_PROVIDERS } from './env-mapping.js';
import { effectiveValue, readSettings, updateSettings } from './project-settings.js';

type ConfigValue = string | number | boolean | null;

const HOOKS = [
  'CUSTOM_ACCESS_TOKEN',
  'MFA_VERIFICATION_ATTEMPT',
  'PASSWORD_VERIFICATION_ATTEMPT',
  'SEND_SMS',
  'SEND_EMAIL',
];

/**
 * What `coolify-templates/supabase/v1` sets on the auth container, plus GoTrue's own
 * defaults for what it leaves unset. Keys are GoTrue env names without `GOTRUE_`, as
 * Studio's auth pages read them. The settings Supaplane can change
 * (settings/env-mapping.ts) are overlaid on these.
 */
function templateAuthConfig(siteUrl: string): Record<string, ConfigValue> {
  const config: Record<string, ConfigValue> = {
    SITE_URL: siteUrl,
    URI_ALLOW_LIST: '',
    DISABLE_SIGNUP: false,
    JWT_EXP: 3600,
    EXTERNAL_EMAIL_ENABLED: true,
    MAILER_AUTOCONFIRM: false,
    EXTERNAL_PHONE_ENABLED: false,
    SMS_AUTOCONFIRM: false,
    EXTERNAL_ANONYMOUS_USERS_ENABLED: false,
    // GoTrue defaults (the template does not set these).
    MAILER_SECURE_EMAIL_CHANGE_ENABLED: true,
    MAILER_OTP_EXP: 86400,
    MAILER_OTP_LENGTH: 6,
    PASSWORD_MIN_LENGTH: 6,
    PASSWORD_REQUIRED_CHARACTERS: '',
    PASSWORD_HIBP_ENABLED: false,
    REFRESH_TOKEN_ROTATION_ENABLED: true,
    SECURITY_REFRESH_TOKEN_REUSE_INTERVAL: 10,
    SECURITY_CAPTCHA_ENABLED: false,
    SECURITY_MANUAL_LINKING_ENABLED: false,
    SECURITY_UPDATE_PASSWORD_REQUIRE_REAUTHENTICATION: false,
    MFA_MAX_ENROLLED_FACTORS: 10,
    MFA_TOTP_ENROLL_ENABLED: true,
    MFA_TOTP_VERIFY_ENABLED: true,
    MFA_PHONE_ENROLL_ENABLED: false,
    MFA_PHONE_VERIFY_ENABLED: false,
    MFA_WEB_AUTHN_ENROLL_ENABLED: false,
    MFA_WEB_AUTHN_VERIFY_ENABLED: false,
    SAML_ENABLED: false,
    SESSIONS_SINGLE_PER_USER: false,
    SESSIONS_TIMEBOX: 0,
    SESSIONS_INACTIVITY_TIMEOUT: 0,
    // No SMTP or SMS provider is wired in v1.
    SMTP_ADMIN_EMAIL: null,
    SMTP_HOST: null,
    SMTP_PORT: null,
    SMTP_USER: null,
    SMTP_PASS: null,
    SMTP_SENDER_NAME: null,
    SMS_PROVIDER: null,
  };
  for (const p of OAUTH_PROVIDERS) config[`EXTERNAL_${p}_ENABLED`] = false;
  for (const h of HOOKS) {
    config[`HOOK_${h}_ENABLED`] = false;
    config[`HOOK_${h}_URI`] = null;
  }
  return config;
}

/** A project's auth settings as Studio's auth pages read them (GoTrue env-style keys). */
export async function getAuthConfig(
  deps: Pick<Deps, 'db' | 'config' | 'keyring' | 'readCache'>,
  { principal, ref }: { principal: Principal; ref: string },
): Promise<Record<string, ConfigValue>> {
  const { stored, publicUrl } = await readSettings(deps, { principal, ref });
  const config = templateAuthConfig(publicUrl);
  for (const field of fieldsOf('auth')) {
    // Secrets are write-only: never returned, whether set or not.
    config[field.key] = field.secret ? null : effectiveValue(field, stored, publicUrl);
  }
  return config;
}

/**
 * PATCH of auth settings, from Studio (GoTrue-style keys) or /v1 (`lowercase` keys,
 * `v1: true`). Fields Supaplane cannot change may be sent back as they were read.
 */
export async function updateAuthConfig(
  deps: Pick<Deps, 'db' | 'config' | 'keyring' | 'readCache' | 'wakeJobs'>,
  {
    principal,
    ref,
    body,
    v1 = false,
  }: { principal: Principal; ref: string; body: unknown; v1?: boolean },
): Promise<Record<string, ConfigValue>> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('The body must be a JSON object of auth settings');
  }
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (v1 && key !== key.toLowerCase()) throw invalid(`${key}: unknown setting`, { field: key });
    changes[v1 ? key.toUpperCase() : key] = value;
  }
  const fixed = await getAuthConfig(deps, { principal, ref });
  await updateSettings(deps, {
    principal,
    ref,
    patch: {
      area: 'auth',
      changes,
      fixed,
      nameOf: v1 ? (k) => k.toLowerCase() : undefined,
    },
  });
  return getAuthConfig(deps, { principal, ref });
}
