import type { Config } from '../../config/config.js';

/**
 * The routes allowed a larger body than SUPAPLANE_BODY_LIMIT_BYTES, and why. The
 * limit is checked once, before anything reads the body (request-limits.ts); this
 * list is the only place a route gets more. Function deploys and backup uploads
 * get their entries here when they arrive (with `json: false`: not scanned for depth).
 */
export const BODY_LIMITS: readonly BodyLimitRule[] = [
  {
    name: 'pg-meta proxy',
    routes: ['/platform/pg-meta/:ref/*'],
    bytes: (c) => c.SUPAPLANE_PROXY_BODY_LIMIT_BYTES,
    why: "Studio's SQL editor sends up to ~0.98 MB of SQL",
  },
  {
    name: 'auth admin proxy',
    routes: ['/platform/auth/:ref/*'],
    bytes: (c) => c.SUPAPLANE_PROXY_BODY_LIMIT_BYTES,
    why: 'user metadata is free-form JSON passed to GoTrue',
  },
  {
    name: 'storage proxy',
    routes: ['/platform/storage/:ref/*'],
    bytes: (c) => c.SUPAPLANE_STORAGE_BODY_LIMIT_BYTES,
    why: 'sign-multi and delete carry lists of object paths',
  },
  {
    name: 'SQL and secret values',
    routes: [
      '/v1/projects/:ref/database/query',
      '/v1/projects/:ref/database/query/read-only',
      '/v1/projects/:ref/database/migrations',
      '/platform/projects/:ref/content',
      '/v1/projects/:ref/secrets',
    ],
    bytes: (c) => c.SUPAPLANE_SQL_BODY_LIMIT_BYTES,
    why: 'SQL of up to 1 Mi characters (3 bytes each in UTF-8, more once JSON-escaped), 1 MB snippets, 100 secrets of 24 KiB',
  },
  {
    name: 'function deploys',
    routes: ['/v1/projects/:ref/functions/deploy'],
    bytes: (c) => c.SUPAPLANE_FUNCTION_DEPLOY_LIMIT_BYTES,
    why: "multipart source files of one function, as the Supabase CLI and Studio's editor send them",
    json: false,
  },
  {
    name: 'function source (JSON)',
    routes: ['/v1/projects/:ref/functions', '/v1/projects/:ref/functions/:slug'],
    bytes: (c) => c.SUPAPLANE_FUNCTION_DEPLOY_LIMIT_BYTES,
    why: "a function's whole source as the `body` of the JSON create and update",
  },
];

/** The configuration the limits read. */
export type BodyLimitsConfig = Pick<
  Config,
  | 'SUPAPLANE_BASE_PATH'
  | 'SUPAPLANE_BODY_LIMIT_BYTES'
  | 'SUPAPLANE_PROXY_BODY_LIMIT_BYTES'
  | 'SUPAPLANE_STORAGE_BODY_LIMIT_BYTES'
  | 'SUPAPLANE_SQL_BODY_LIMIT_BYTES'
  | 'SUPAPLANE_FUNCTION_DEPLOY_LIMIT_BYTES'
>;

export interface BodyLimitRule {
  name: string;
  /** Route templates (`:param` is one segment, a trailing `/*` any rest), any method. */
  routes: readonly string[];
  bytes: (config: BodyLimitsConfig) => number;
  why: string;
  /** False for bodies that are not JSON (uploads): they skip the depth check. */
  json?: boolean;
}

export interface BodyLimit {
  bytes: number;
  json: boolean;
}

/**
 * Compiles BODY_LIMITS for `config` into one lookup from a request path (with the
 * base path) to its limit; the default when no rule matches.
 */
export function bodyLimitFor(
  config: BodyLimitsConfig,
  rules: readonly BodyLimitRule[] = BODY_LIMITS,
): (path: string) => BodyLimit {
  const fallback: BodyLimit = { bytes: config.SUPAPLANE_BODY_LIMIT_BYTES, json: true };
  const compiled = rules.map((rule) => ({
    pattern: new RegExp(
      `^${escape(config.SUPAPLANE_BASE_PATH)}(?:${rule.routes.map(templateSource).join('|')})$`,
    ),
    limit: { bytes: rule.bytes(config), json: rule.json ?? true },
  }));
  return (path) => {
    for (const { pattern, limit } of compiled) if (pattern.test(path)) return limit;
    return fallback;
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `/a/:ref/*` → `/a/[^/]+/.*`; a trailing slash is allowed, as Hono's router allows it. */
function templateSource(template: string): string {
  const rest = template.endsWith('/*');
  const parts = (rest ? template.slice(0, -2) : template)
    .split('/')
    .map((s) => (s.startsWith(':') ? '[^/]+' : escape(s)));
  return parts.join('/') + (rest ? '/.*' : '/?');
}

/** `1048576` → `1 MB`, `65536` → `64 KB`: the limit as the 413 message names it. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  return `${Math.round((bytes / 1024) * 10) / 10} KB`;
}
