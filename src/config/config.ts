import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseKeyList, type KeySpec } from '../crypto/keyring.js';
import { isAddressOrCidr } from '../util/ip.js';

/** Variables that may instead be given as NAME_FILE (Docker secrets). */
const SECRET_NAMES = [
  'DATABASE_URL',
  'SUPAPLANE_ENCRYPTION_KEY',
  'SUPAPLANE_ENCRYPTION_KEYS',
  'COOLIFY_TOKEN',
  'SUPAPLANE_ADMIN_PASSWORD',
  'SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID',
  'SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY',
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

const encryptionKeys = z
  .string()
  .optional()
  .transform((v, ctx): KeySpec[] | undefined => {
    if (v === undefined || v.trim() === '') return undefined;
    const parsed = parseKeyList(v);
    if ('keys' in parsed) return parsed.keys;
    for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  });

const url = (what: string) =>
  optionalString.refine(
    (v) => v === undefined || URL.canParse(v),
    `must be an absolute URL (${what})`,
  );

/** A size in bytes, at least 1 KiB. */
const bytes = (fallback: number) => z.coerce.number().int().min(1024).default(fallback);

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: url('postgres://user:pass@host:5432/db'),
    SUPAPLANE_DATA_DIR: z.string().default('./.supaplane'),
    SUPAPLANE_ENCRYPTION_KEY: encryptionKey,
    /** `id:key` entries, active first; see src/crypto/keyring.ts. */
    SUPAPLANE_ENCRYPTION_KEYS: encryptionKeys,
    /** Filled from SUPAPLANE_COOLIFY_URL when that is set (see withCoolifyUrl). */
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
    /**
     * Per server, the Docker network destination projects go to, as
     * `server_uuid=destination` pairs (a destination uuid or network name). Unlisted servers
     * use their only destination, or the default `coolify` network.
     */
    COOLIFY_DESTINATIONS: z
      .string()
      .default('')
      .transform((v, ctx) => {
        const out: Record<string, string> = {};
        for (const pair of v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          const [server, destination, extra] = pair.split('=').map((s) => s.trim());
          if (!server || !destination || extra !== undefined) {
            ctx.addIssue({ code: 'custom', message: `"${pair}" is not server_uuid=destination` });
            continue;
          }
          out[server] = destination;
        }
        return out;
      }),
    COOLIFY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** Shared by every process on the database (src/coolify/shared-budget.ts). */
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
    /**
     * How Supaplane reaches a project's database for backups and restores, a template with
     * `{ref}` (and optionally `{domain}`). Default: the direct route of ADR 0003,
     * `postgresql://supabase_admin@db.{ref}.{domain}:5432/postgres?sslmode=require`. The
     * password always comes from the project's stored secrets (src/database/project-database.ts).
     */
    SUPAPLANE_PROJECT_DATABASE_URL: optionalString.refine(
      (v) =>
        v === undefined ||
        (v.includes('{ref}') &&
          /^postgres(ql)?:\/\//.test(v) &&
          URL.canParse(v.replaceAll('{ref}', 'x').replaceAll('{domain}', 'x.test'))),
      'must be a postgresql:// URL template containing {ref}, e.g. postgresql://supabase_admin@db.{ref}.example.com:5432/postgres?sslmode=require',
    ),
    /** Where Postgres client tools of each major live; `{major}` is replaced (15, 17…). */
    SUPAPLANE_PG_BIN_DIR: z
      .string()
      .default('/usr/lib/postgresql/{major}/bin')
      .refine(
        (v) => v.includes('{major}'),
        'must contain {major}, e.g. /usr/lib/postgresql/{major}/bin',
      ),
    /** `local` (a folder, SUPAPLANE_BACKUP_DIR) or `s3` (any S3-compatible bucket). */
    SUPAPLANE_BACKUP_STORAGE: z.enum(['local', 's3']).default('local'),
    /** Default: `<SUPAPLANE_DATA_DIR>/backups`. */
    SUPAPLANE_BACKUP_DIR: optionalString,
    SUPAPLANE_BACKUP_S3_ENDPOINT: url(
      'e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000',
    ),
    SUPAPLANE_BACKUP_S3_REGION: z.string().trim().default('us-east-1'),
    SUPAPLANE_BACKUP_S3_BUCKET: optionalString,
    SUPAPLANE_BACKUP_S3_PREFIX: z
      .string()
      .trim()
      .default('supaplane-backups/')
      .transform((v) => (v === '' || v.endsWith('/') ? v : `${v}/`)),
    SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID: optionalString,
    SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY: optionalString,
    /** Path-style URLs (MinIO, s3rver, most self-hosted S3); `false` for virtual-hosted AWS. */
    SUPAPLANE_BACKUP_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false', '1', '0', ''])
      .default('true')
      .transform((v) => v !== 'false' && v !== '0'),
    /** Daily backups kept per project (per-organization and per-project settings override it). */
    SUPAPLANE_BACKUP_RETENTION_DAILY: z.coerce.number().int().min(1).max(365).default(7),
    /** On-demand backups kept per project. */
    SUPAPLANE_BACKUP_RETENTION_MANUAL: z.coerce.number().int().min(1).max(1000).default(10),
    /** Pre-upgrade backups kept per project. */
    SUPAPLANE_BACKUP_RETENTION_PRE_UPGRADE: z.coerce.number().int().min(1).max(1000).default(3),
    /** Whether daily backups run at all (per-organization and per-project settings may turn them off). */
    SUPAPLANE_BACKUP_SCHEDULE: z
      .enum(['true', 'false', '1', '0', ''])
      .default('true')
      .transform((v) => v !== 'false' && v !== '0'),
    /** How often this process looks for due daily backups. */
    SUPAPLANE_BACKUP_SCHEDULER_INTERVAL_MS: z.coerce.number().int().positive().default(60_000),
    SUPAPLANE_RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(15_000),
    /**
     * How long one upgrade step may wait (the stack to stop, the database to answer, the
     * stack to become healthy) before the upgrade rolls back.
     */
    SUPAPLANE_UPGRADE_STEP_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
    /** How often a waiting upgrade step looks again (each look is one Coolify call). */
    SUPAPLANE_UPGRADE_POLL_MS: z.coerce.number().int().positive().default(2_000),
    SUPAPLANE_WORKER_CONCURRENCY: z.coerce.number().int().positive().max(64).default(8),
    /**
     * How long a claimed job is reserved; renewed every third of it while the job runs, so a
     * crashed worker's jobs are picked up after it.
     */
    SUPAPLANE_JOB_LEASE_MS: z.coerce.number().int().min(300).default(30_000),
    /**
     * This process's worker identity (default: the host name). A restart with the same one
     * releases the jobs its killed predecessor held at once.
     */
    SUPAPLANE_WORKER_ID: z.string().trim().min(1).optional(),
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
    /** Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none by default. */
    SUPAPLANE_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every(isAddressOrCidr), 'must be a comma list of IPs or CIDRs'),
    /** Sign-in, refresh, sign-up and reset requests one client address may have in flight. */
    SUPAPLANE_UNAUTHENTICATED_IN_FLIGHT_PER_CLIENT: z.coerce.number().int().positive().default(10),
    /** A dashboard session ends this long after sign-in, however often it is refreshed. */
    SUPAPLANE_SESSION_MAX_AGE_HOURS: z.coerce.number().positive().default(168),
    /**
     * How long a just-rotated refresh token is still accepted (parallel refreshes from
     * several tabs), as GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL; 0 is strict.
     */
    SUPAPLANE_REFRESH_TOKEN_REUSE_INTERVAL_S: z.coerce.number().int().min(0).default(10),
    /** Serve everything under this path prefix (e.g. /api) instead of at the root. */
    SUPAPLANE_BASE_PATH: z
      .string()
      .default('')
      .refine(
        (v) => v === '' || /^\/[A-Za-z0-9/_-]*[^/]$/.test(v),
        'must start with / and not end with /',
      ),
    /**
     * Request limits (src/http/limits/). Bodies past the limit answer 413 before
     * anything parses them; a few routes allow more (BODY_LIMITS in body-limits.ts).
     */
    SUPAPLANE_BODY_LIMIT_BYTES: bytes(64 * 1024),
    /** The pg-meta and auth-admin data-page proxies (Studio refuses SQL over ~0.98 MB). */
    SUPAPLANE_PROXY_BODY_LIMIT_BYTES: bytes(1024 * 1024),
    /** The storage data-page proxy (sign-multi and delete carry lists of paths). */
    SUPAPLANE_STORAGE_BODY_LIMIT_BYTES: bytes(8 * 1024 * 1024),
    /** SQL and values: /v1 database query and migrations, SQL snippets, function secrets. */
    SUPAPLANE_SQL_BODY_LIMIT_BYTES: bytes(4 * 1024 * 1024),
    /** Edge Function deploys and source bodies (Supabase bundles up to 20 MB per function). */
    SUPAPLANE_FUNCTION_DEPLOY_LIMIT_BYTES: bytes(20 * 1024 * 1024),
    /** Deepest nesting of a JSON body (objects and arrays); deeper answers 400. */
    SUPAPLANE_JSON_MAX_DEPTH: z.coerce.number().int().min(1).max(1000).default(64),
    /** Longest request URL, path and query together; longer answers 414. */
    SUPAPLANE_URL_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(256)
      .default(8 * 1024),
    /** Node's maxHeaderSize: request line and headers together; larger answers 431. */
    SUPAPLANE_HEADER_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(16 * 1024),
    /** How long a client may take to send its request headers (Node's headersTimeout). */
    SUPAPLANE_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** How long a client may take to send its whole request (Node's requestTimeout). */
    SUPAPLANE_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
    /** How long an idle keep-alive connection stays open (Node's keepAliveTimeout). */
    SUPAPLANE_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
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
    if (c.DATABASE_URL && !c.SUPAPLANE_ENCRYPTION_KEY && !c.SUPAPLANE_ENCRYPTION_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPAPLANE_ENCRYPTION_KEY'],
        message:
          'is required when DATABASE_URL is set (or SUPAPLANE_ENCRYPTION_KEYS; only the embedded database may generate one)',
      });
    }
    if (c.SUPAPLANE_ENCRYPTION_KEY && c.SUPAPLANE_ENCRYPTION_KEYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPAPLANE_ENCRYPTION_KEYS'],
        message:
          'set either SUPAPLANE_ENCRYPTION_KEY or SUPAPLANE_ENCRYPTION_KEYS, not both (list the old key as k1:<key> in SUPAPLANE_ENCRYPTION_KEYS)',
      });
    }
    if (Boolean(c.SUPAPLANE_ADMIN_EMAIL) !== Boolean(c.SUPAPLANE_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [c.SUPAPLANE_ADMIN_EMAIL ? 'SUPAPLANE_ADMIN_PASSWORD' : 'SUPAPLANE_ADMIN_EMAIL'],
        message: 'SUPAPLANE_ADMIN_EMAIL and SUPAPLANE_ADMIN_PASSWORD must be set together',
      });
    }
    if (c.SUPAPLANE_HEADERS_TIMEOUT_MS > c.SUPAPLANE_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SUPAPLANE_HEADERS_TIMEOUT_MS'],
        message:
          'must not be longer than SUPAPLANE_REQUEST_TIMEOUT_MS (the headers are part of the request)',
      });
    }
    if (c.SUPAPLANE_BACKUP_STORAGE === 's3') {
      for (const name of ['SUPAPLANE_BACKUP_S3_BUCKET'] as const) {
        if (!c[name])
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required when SUPAPLANE_BACKUP_STORAGE=s3',
          });
      }
    }
    if (
      Boolean(c.SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID) !==
      Boolean(c.SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: [
          c.SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID
            ? 'SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY'
            : 'SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID',
        ],
        message:
          'SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID and SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY must be set together',
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

/**
 * SUPAPLANE_COOLIFY_URL wins over COOLIFY_URL. Inside a Coolify service, Coolify's parser
 * sets COOLIFY_URL in every container that has a domain to that container's own URL,
 * after the compose environment, so the operator's value never arrives
 * (bootstrap/helpers/parsers.php:2586-2590,2735@379abb25); Supaplane deployed from
 * coolify-templates/supaplane.yaml would call itself as Coolify. Names Coolify leaves
 * alone: neither COOLIFY_* nor SERVICE_* (parsers.php:2551-2590, shared.php:4013-4050@379abb25).
 */
function withCoolifyUrl(env: Record<string, string | undefined>) {
  const own = env.SUPAPLANE_COOLIFY_URL?.trim();
  return own ? { ...env, COOLIFY_URL: own } : env;
}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(withCoolifyUrl(withSecretFiles(env)));
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
