import type { Context } from 'hono';
import type { Config } from '../../config/config.js';

const ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'apikey',
  'version',
  'x-request-id',
  'x-connection-encrypted',
  'x-pg-application-name',
  'x-client-info',
  // auth-js sends it on every /auth/v1 call.
  'x-supabase-api-version',
  'idempotency-key',
  'baggage',
  'sentry-trace',
].join(',');

const PREFLIGHT = [
  ['Access-Control-Allow-Methods', 'GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS'],
  ['Access-Control-Allow-Headers', ALLOW_HEADERS],
  ['Access-Control-Max-Age', '600'],
] as const;

export type HeaderList = [string, string][];

/**
 * Studio sends credentials, so the exact origin is echoed (never `*`), and it
 * sends a few headers of its own that the preflight must allow. Not hono/cors:
 * it appends `Vary` to the finished response, which costs a full copy of every
 * answer (see withResponseHeaders).
 */
export function studioCors(config: Pick<Config, 'SUPAPLANE_STUDIO_ORIGINS'>) {
  const allowed = new Set(config.SUPAPLANE_STUDIO_ORIGINS);
  return {
    /** The CORS headers of an answer to a request from `origin`. */
    headers(origin: string | undefined): HeaderList {
      const headers: HeaderList = [['Vary', 'Origin']];
      if (origin && allowed.has(origin)) {
        headers.push(
          ['Access-Control-Allow-Origin', origin],
          ['Access-Control-Allow-Credentials', 'true'],
          ['Access-Control-Expose-Headers', 'x-request-id,retry-after'],
        );
      }
      return headers;
    },
    /** The answer to a preflight (any OPTIONS request). */
    preflight(c: Context, headers: HeaderList): Response {
      return c.body(null, 204, Object.fromEntries([...headers, ...PREFLIGHT]));
    },
  };
}
