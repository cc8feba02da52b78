import { cors } from 'hono/cors';
import type { Config } from '../../config/config.js';

/**
 * Studio sends credentials, so the exact origin is echoed (never `*`), and it
 * sends a few headers of its own that the preflight must allow.
 */
export function studioCors(config: Pick<Config, 'SUPAPLANE_STUDIO_ORIGINS'>) {
  const allowed = new Set(config.SUPAPLANE_STUDIO_ORIGINS);
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: [
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
    ],
    exposeHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
}
