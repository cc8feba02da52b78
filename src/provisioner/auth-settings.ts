import { z } from 'zod';

/**
 * A project's Auth (GoTrue) settings as the template renders them. Stored and
 * edited elsewhere (Studio's and /v1's auth config routes); the template only takes
 * a parsed value. Absent fields get the defaults below. Values travel through
 * Coolify's .env and compose interpolation, so `$`, quotes and line breaks are refused.
 */
const envSafe = (what: string) =>
  z.string().refine((v) => !/[$'"`\\\r\n\0]/.test(v), {
    message: `${what} cannot contain $, quotes, backslashes or line breaks`,
  });

const httpUrl = (what: string) =>
  envSafe(what).refine((v) => /^https?:\/\/[^\s,]+$/.test(v), {
    message: `${what} must be an http(s) URL`,
  });

export const authSettingsSchema = z.object({
  /** Where Auth sends users after sign-in and e-mail links (default: the project URL). */
  siteUrl: httpUrl('Site URL').optional(),
  /** Further allowed redirect URLs (GoTrue's URI allow list; `*` globs allowed). */
  additionalRedirectUrls: z.array(envSafe('Redirect URL').pipe(z.string().min(1))).default([]),
  disableSignup: z.boolean().default(false),
  mailerAutoconfirm: z.boolean().default(false),
  /** Access-token lifetime in seconds. */
  jwtExpiry: z.number().int().min(30).max(604_800).default(3600),
  /** The `iss` claim of user tokens (default: `<project URL>/auth/v1`). */
  jwtIssuer: httpUrl('JWT issuer').optional(),
  smtp: z
    .object({
      adminEmail: envSafe('SMTP admin e-mail').pipe(z.email()),
      host: envSafe('SMTP host').pipe(z.string().min(1)),
      port: z.number().int().min(1).max(65_535).default(587),
      user: envSafe('SMTP user').default(''),
      pass: envSafe('SMTP password').default(''),
      senderName: envSafe('SMTP sender name').default(''),
    })
    .optional(),
});

export type AuthSettings = z.infer<typeof authSettingsSchema>;
export type AuthSettingsInput = z.input<typeof authSettingsSchema>;

/** The GOTRUE_* rows (and the expiry the other services read) for these settings. */
export function authSettingsEnv(
  input: AuthSettingsInput | undefined,
  origin: string,
): Record<string, string> {
  const s = authSettingsSchema.parse(input ?? {});
  const expiry = String(s.jwtExpiry);
  return {
    API_EXTERNAL_URL: `${origin}/auth/v1`,
    GOTRUE_SITE_URL: s.siteUrl ?? origin,
    GOTRUE_URI_ALLOW_LIST: s.additionalRedirectUrls.join(','),
    GOTRUE_DISABLE_SIGNUP: String(s.disableSignup),
    GOTRUE_MAILER_AUTOCONFIRM: String(s.mailerAutoconfirm),
    GOTRUE_JWT_EXP: expiry,
    // GoTrue's own default issuer would be API_EXTERNAL_URL; set it explicitly.
    GOTRUE_JWT_ISSUER: s.jwtIssuer ?? `${origin}/auth/v1`,
    // GoTrue parses the port as an integer even without a host: never leave it empty.
    GOTRUE_SMTP_ADMIN_EMAIL: s.smtp?.adminEmail ?? '',
    GOTRUE_SMTP_HOST: s.smtp?.host ?? '',
    GOTRUE_SMTP_PORT: String(s.smtp?.port ?? 587),
    GOTRUE_SMTP_USER: s.smtp?.user ?? '',
    GOTRUE_SMTP_PASS: s.smtp?.pass ?? '',
    GOTRUE_SMTP_SENDER_NAME: s.smtp?.senderName ?? '',
    PGRST_APP_SETTINGS_JWT_EXP: expiry,
    JWT_EXP: expiry,
  };
}
