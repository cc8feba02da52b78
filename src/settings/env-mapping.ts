/**
 * The one map from a project's settings (as Studio and the Management API name them)
 * to the stack's env: the Coolify service variable Supaplane sets and the container
 * variable of the pinned image it ends up in. Template helpers render `env` names
 * into the containers; where Supabase's own docker/.env has a name for a setting
 * (SITE_URL, ADDITIONAL_REDIRECT_URLS, JWT_EXPIRY, ENABLE_EMAIL_AUTOCONFIRM, SMTP_*…)
 * that name is used, otherwise the container's own variable name.
 *
 * Container variables: GoTrue reads GOTRUE_<FIELD> through envconfig with
 * `split_words` (supabase/auth internal/conf/configuration.go: SiteURL, URIAllowList,
 * JWT.Exp, SMTP{Host,Port,User,Pass,AdminEmail,SenderName}, Mailer{Autoconfirm,
 * Subjects}, External.<Provider>{Enabled,ClientID,Secret,RedirectURI}, RateLimit*);
 * PostgREST reads PGRST_DB_SCHEMAS, PGRST_DB_EXTRA_SEARCH_PATH, PGRST_DB_MAX_ROWS and
 * PGRST_DB_POOL (postgrest.org configuration, v14); storage-api reads FILE_SIZE_LIMIT
 * (coolify-templates/supabase/v1 sets it on the storage container).
 */
export type SettingsArea = 'auth' | 'postgrest' | 'storage';
export type SettingValue = string | number | boolean | null;

export type SettingKind =
  | 'url'
  | 'url_list'
  | 'email'
  | 'host'
  | 'port'
  | 'text'
  | 'secret'
  | 'bool'
  | 'int'
  | 'schema_list';

export interface SettingField {
  area: SettingsArea;
  /** The key in Studio's body (GoTrue-style upper case for auth, API names otherwise). */
  key: string;
  /** The Coolify service variable Supaplane writes. */
  env: string;
  /** The variable the container reads it as. */
  container: string;
  kind: SettingKind;
  /** The value a project starts with (null: not set, the image's default applies). */
  default: SettingValue;
  min?: number;
  max?: number;
  /** Stored encrypted, never returned, logged or audited. */
  secret?: boolean;
}

// OAuth providers GoTrue knows (configuration.go ProviderConfiguration).
export const OAUTH_PROVIDERS = [
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
] as const;

const MAIL_SUBJECTS = [
  'INVITE',
  'CONFIRMATION',
  'RECOVERY',
  'EMAIL_CHANGE',
  'MAGIC_LINK',
  'REAUTHENTICATION',
] as const;

// GoTrue's defaults (configuration.go RateLimit* `default:` tags).
const RATE_LIMITS: [string, number][] = [
  ['EMAIL_SENT', 30],
  ['SMS_SENT', 30],
  ['VERIFY', 30],
  ['TOKEN_REFRESH', 150],
  ['OTP', 30],
  ['ANONYMOUS_USERS', 30],
];

const auth = (
  key: string,
  env: string,
  kind: SettingKind,
  dflt: SettingValue,
  extra: Partial<SettingField> = {},
): SettingField => ({
  area: 'auth',
  key,
  env,
  container: `GOTRUE_${key}`,
  kind,
  default: dflt,
  ...(kind === 'secret' ? { secret: true } : {}),
  ...extra,
});

/** SITE_URL's default is the project's own URL; `default: null` stands for it. */
export const SETTINGS: readonly SettingField[] = [
  auth('SITE_URL', 'SITE_URL', 'url', null),
  auth('URI_ALLOW_LIST', 'ADDITIONAL_REDIRECT_URLS', 'url_list', ''),
  auth('DISABLE_SIGNUP', 'DISABLE_SIGNUP', 'bool', false),
  auth('JWT_EXP', 'JWT_EXPIRY', 'int', 3600, { min: 30, max: 604_800 }),
  auth('EXTERNAL_EMAIL_ENABLED', 'ENABLE_EMAIL_SIGNUP', 'bool', true),
  auth('MAILER_AUTOCONFIRM', 'ENABLE_EMAIL_AUTOCONFIRM', 'bool', false),
  auth('EXTERNAL_PHONE_ENABLED', 'ENABLE_PHONE_SIGNUP', 'bool', false),
  auth('SMS_AUTOCONFIRM', 'ENABLE_PHONE_AUTOCONFIRM', 'bool', false),
  auth('EXTERNAL_ANONYMOUS_USERS_ENABLED', 'ENABLE_ANONYMOUS_USERS', 'bool', false),
  auth('SMTP_ADMIN_EMAIL', 'SMTP_ADMIN_EMAIL', 'email', null),
  auth('SMTP_HOST', 'SMTP_HOST', 'host', null),
  auth('SMTP_PORT', 'SMTP_PORT', 'port', null),
  auth('SMTP_USER', 'SMTP_USER', 'text', null),
  auth('SMTP_PASS', 'SMTP_PASS', 'secret', null),
  auth('SMTP_SENDER_NAME', 'SMTP_SENDER_NAME', 'text', null),
  ...MAIL_SUBJECTS.map((s) =>
    auth(`MAILER_SUBJECTS_${s}`, `GOTRUE_MAILER_SUBJECTS_${s}`, 'text', null),
  ),
  ...RATE_LIMITS.map(([name, dflt]) =>
    auth(`RATE_LIMIT_${name}`, `GOTRUE_RATE_LIMIT_${name}`, 'int', dflt, {
      min: 0,
      max: 1_000_000,
    }),
  ),
  ...OAUTH_PROVIDERS.flatMap((p) => [
    auth(`EXTERNAL_${p}_ENABLED`, `GOTRUE_EXTERNAL_${p}_ENABLED`, 'bool', false),
    auth(`EXTERNAL_${p}_CLIENT_ID`, `GOTRUE_EXTERNAL_${p}_CLIENT_ID`, 'text', null),
    auth(`EXTERNAL_${p}_SECRET`, `GOTRUE_EXTERNAL_${p}_SECRET`, 'secret', null),
  ]),
  {
    area: 'postgrest',
    key: 'db_schema',
    env: 'PGRST_DB_SCHEMAS',
    container: 'PGRST_DB_SCHEMAS',
    kind: 'schema_list',
    default: 'public,storage,graphql_public',
  },
  {
    area: 'postgrest',
    key: 'db_extra_search_path',
    env: 'PGRST_DB_EXTRA_SEARCH_PATH',
    container: 'PGRST_DB_EXTRA_SEARCH_PATH',
    kind: 'schema_list',
    default: 'public',
  },
  {
    area: 'postgrest',
    key: 'max_rows',
    env: 'PGRST_DB_MAX_ROWS',
    container: 'PGRST_DB_MAX_ROWS',
    kind: 'int',
    default: 1000,
    min: 0,
    max: 1_000_000,
  },
  {
    area: 'postgrest',
    key: 'db_pool',
    env: 'PGRST_DB_POOL',
    container: 'PGRST_DB_POOL',
    kind: 'int',
    default: null,
    min: 1,
    max: 1000,
  },
  {
    area: 'storage',
    key: 'fileSizeLimit',
    env: 'FILE_SIZE_LIMIT',
    container: 'FILE_SIZE_LIMIT',
    kind: 'int',
    default: 52_428_800,
    min: 0,
    max: 536_870_912_000,
  },
];

export const fieldsOf = (area: SettingsArea) => SETTINGS.filter((f) => f.area === area);
export const fieldOf = (area: SettingsArea, key: string) =>
  SETTINGS.find((f) => f.area === area && f.key === key);

/**
 * PostgREST needs at least one schema (its `db-schemas` is a NonEmpty list), so "Data
 * API off" (`db_schema: ''`, Studio's switch and the wizard's empty list) exposes a
 * schema that holds nothing and that no one can create objects in.
 */
export const DATA_API_OFF_SCHEMA = 'supaplane_data_api_off';

/**
 * The env a project's stored settings produce: only the settings that differ from
 * what the template sets, plus what follows from them (an enabled OAuth provider's
 * callback URL). `values` holds non-secret settings, `secrets` the secret ones.
 */
export function settingsEnv(
  publicUrl: string,
  values: Partial<Record<SettingsArea, Record<string, SettingValue>>>,
  secrets: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const field of SETTINGS) {
    const stored = field.secret ? secrets[field.key] : values[field.area]?.[field.key];
    if (stored === undefined || stored === null || stored === field.default) continue;
    if (field.key === 'db_schema' && stored === '') env[field.env] = DATA_API_OFF_SCHEMA;
    else env[field.env] = String(stored);
  }
  for (const p of OAUTH_PROVIDERS) {
    if (values.auth?.[`EXTERNAL_${p}_ENABLED`] === true) {
      env[`GOTRUE_EXTERNAL_${p}_REDIRECT_URI`] = `${publicUrl}/auth/v1/callback`;
    }
  }
  return env;
}
