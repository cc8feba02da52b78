import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Variables that may instead be given as NAME_FILE (Docker secrets). */
const SECRET_NAMES = [
  'DATABASE_URL',
  'SUPAPLANE_ENCRYPTION_KEY',
  'COOLIFY_TOKEN',
  'SUPAPLANE_ADMIN_PASSWORD',
] as const;

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const encryptionKey = optionalString.refine(
  (v) => v === undefined || Buffer.from(v, 'base64').length === 32,
  'must be 32 bytes encoded as base64 (generate one with `openssl rand -base64 32`)',
);

const url = (what: string) =>
  optionalString.refine(
    (v) => v === undefined || URL.canParse(v),
    `must be an absolute URL (${what})`,
  );

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: url('postgres://user:pass@host:5432/db'),
    SUPAPLANE_DATA_DIR: z.string().default('./.supaplane'),
    SUPAPLANE_ENCRYPTION_KEY: encryptionKey,
    COOLIFY_URL: url('e.g. https://coolify.example.com'),
    COOLIFY_TOKEN: optionalString,
    COOLIFY_SERVER_UUIDS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    COOLIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    COOLIFY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(180),
    SUPAPLANE_PROJECT_DOMAIN: optionalString.refine(
      (v) => v === undefined || /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(v) || /^[a-z0-9.-]+$/i.test(v),
      'must be a bare domain such as supabase.example.com',
    ),
    SUPAPLANE_GATEWAY_URL: optionalString.refine(
      (v) => v === undefined || (v.includes('{ref}') && URL.canParse(v.replace('{ref}', 'x'))),
      'must be a URL template containing {ref}, e.g. http://127.0.0.1:9000/{ref}',
    ),
    SUPAPLANE_PUBLIC_URL: url('where Supaplane itself is reachable'),
    SUPAPLANE_RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
    SUPAPLANE_WORKER_CONCURRENCY: z.coerce.number().int().positive().max(64).default(8),
    /** How long a claimed job is reserved; a crashed worker's jobs are picked up after it. */
    SUPAPLANE_JOB_LEASE_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 60_000),
    SUPAPLANE_JOB_POLL_MS: z.coerce.number().int().positive().default(500),
    /**
     * Longest a cached dashboard read may live (0 turns the cache off). Writes
     * invalidate it at once through Postgres notifications; this only bounds the
     * harm of one lost while the listening connection was down.
     */
    SUPAPLANE_READ_CACHE_MS: z.coerce.number().int().min(0).default(10_000),
    /** Requests per minute each token may make to /v1 (per Supaplane process). */
    SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
    /** How long COMING_UP, RESTORING… may last before the project counts as failed. */
    SUPAPLANE_SETTLE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 60_000),
    /**
     * How long Coolify's reported status may lag behind a restart Supaplane asked for: its
     * job is queued and statuses refresh once a minute (5 on Coolify Cloud). Default: two minutes.
     */
    SUPAPLANE_COOLIFY_STATUS_LAG_MS: z.coerce.number().int().positive().default(120_000),
    /** How long the secrets of a project deleted in Coolify (not via Supaplane) are kept. */
    SUPAPLANE_REMOVED_SECRETS_RETENTION_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(7 * 24 * 3600_000),
    /** Origins of the Studio deployments allowed to call the API with credentials. */
    SUPAPLANE_STUDIO_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim().replace(/\/+$/, ''))
          .filter(Boolean),
      ),
    /** Serve everything under this path prefix (e.g. /api) instead of at the root. */
    SUPAPLANE_BASE_PATH: z
      .string()
      .default('')
      .refine(
        (v) => v === '' || /^\/[A-Za-z0-9/_-]*[^/]$/.test(v),
        'must start with / and not end with /',
      ),
    SUPAPLANE_ADMIN_EMAIL: optionalString.refine(
      (v) => v === undefined || /^[^@\s]+@[^@\s]+$/.test(v),
      'must be an email address',
    ),
    SUPAPLANE_ADMIN_PASSWORD: optionalString.refine(
      (v) => v === undefined || v.length >= 8,
      'must be at least 8 characters',
    ),
    SUPAPLANE_ALLOW_SIGNUP: z
      .enum(['true', 'false', '1', '0', ''])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.DATABASE_URL && !c.SUPAPLANE_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPAPLANE_ENCRYPTION_KEY'],
        message:
          'is required when DATABASE_URL is set (only the embedded database may generate one)',
      });
    }
    if (Boolean(c.SUPAPLANE_ADMIN_EMAIL) !== Boolean(c.SUPAPLANE_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.SUPAPLANE_ADMIN_EMAIL ? 'SUPAPLANE_ADMIN_PASSWORD' : 'SUPAPLANE_ADMIN_EMAIL'],
        message: 'SUPAPLANE_ADMIN_EMAIL and SUPAPLANE_ADMIN_PASSWORD must be set together',
      });
    }
    if (Boolean(c.COOLIFY_URL) !== Boolean(c.COOLIFY_TOKEN)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.COOLIFY_URL ? 'COOLIFY_TOKEN' : 'COOLIFY_URL'],
        message: 'COOLIFY_URL and COOLIFY_TOKEN must be set together',
      });
    }
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads NAME_FILE for each secret so Docker secrets work; NAME wins over NAME_FILE. */
function withSecretFiles(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_NAMES) {
    const file = env[`${name}_FILE`];
    // An empty NAME (as compose files often pass through) must not hide NAME_FILE.
    if (!out[name] && file) {
      try {
        out[name] = readFileSync(file, 'utf8').trim();
      } catch (err) {
        throw new ConfigError([`${name}_FILE: cannot read ${file} (${(err as Error).message})`]);
      }
    }
  }
  return out;
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(withSecretFiles(env));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

/** What is missing before projects can be provisioned, as a sentence for the user. */
export function provisioningGaps(config: Config): string | undefined {
  const missing = [
    !config.COOLIFY_URL && 'COOLIFY_URL',
    !config.COOLIFY_TOKEN && 'COOLIFY_TOKEN',
    config.COOLIFY_SERVER_UUIDS.length === 0 && 'COOLIFY_SERVER_UUIDS',
    !config.SUPAPLANE_PROJECT_DOMAIN && 'SUPAPLANE_PROJECT_DOMAIN',
  ].filter(Boolean);
  return missing.length
    ? `Supaplane cannot create projects until ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} configured`
    : undefined;
}
