import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { AppError } from '../errors.js';
import { requireProject } from './access.js';
import { projectPublicUrl } from './urls.js';

type ConfigValue = string | number | boolean | null;

// OAuth providers GoTrue knows; each is off in the template (no client ids are set).
const PROVIDERS = [
  'APPLE',
  'AZURE',
  'BITBUCKET',
  'DISCORD',
  'FACEBOOK',
  'FIGMA',
  'GITHUB',
  'GITLAB',
  'GOOGLE',
  'KAKAO',
  'KEYCLOAK',
  'LINKEDIN_OIDC',
  'NOTION',
  'SLACK',
  'SLACK_OIDC',
  'SPOTIFY',
  'TWITCH',
  'TWITTER',
  'WORKOS',
  'ZOOM',
];

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
 * Studio's auth pages read them. Nothing here is guessed per project: a project's
 * settings are exactly the template's until Supaplane can change them.
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
  for (const p of PROVIDERS) config[`EXTERNAL_${p}_ENABLED`] = false;
  for (const h of HOOKS) {
    config[`HOOK_${h}_ENABLED`] = false;
    config[`HOOK_${h}_URI`] = null;
  }
  return config;
}

/** A project's auth settings as Studio's auth pages read them (GoTrue env-style keys). */
export async function getAuthConfig(
  deps: Pick<Deps, 'db' | 'config'>,
  { principal, ref }: { principal: Principal; ref: string },
): Promise<Record<string, ConfigValue>> {
  const { project } = await requireProject(deps, principal, ref, 'read');
  return templateAuthConfig(projectPublicUrl(deps.config, project.ref));
}

/**
 * Changing auth settings means editing the auth container's env through Coolify and
 * redeploying it, which Supaplane does not do yet. Refuse plainly rather than pretend.
 */
export async function updateAuthConfig(
  deps: Pick<Deps, 'db'>,
  { principal, ref }: { principal: Principal; ref: string },
): Promise<never> {
  await requireProject(deps, principal, ref, 'write');
  throw new AppError(
    'precondition',
    'Changing auth settings is not supported by Supaplane yet: it needs the auth container ' +
      'of the project reconfigured and redeployed, which Supaplane does not do from Studio. ' +
      'The settings shown are the ones every project starts with.',
  );
}
