import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line, wherever a caller puts them.
 * Secrets are also kept out of log calls in the first place; this is the net.
 */
const REDACT = [
  'secrets',
  'env',
  '*.secrets',
  '*.env',
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.apikey',
  'req.headers.cookie',
  // Request/response shapes a caller might log whole; keys and project secrets by name.
  'headers.authorization',
  'headers.apikey',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.apikey',
  '*.headers.cookie',
  'apikey',
  '*.apikey',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'secret',
  '*.secret',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'data[*].value',
  '*.data[*].value',
  ...[
    'JWT_SECRET',
    'SUPABASE_ANON_KEY',
    'SUPABASE_SERVICE_KEY',
    'SUPABASE_PUBLISHABLE_KEY',
    'SUPABASE_SECRET_KEY',
    'POSTGRES_PASSWORD',
    'DASHBOARD_PASSWORD',
    'SECRET_KEY_BASE',
    'VAULT_ENC_KEY',
    'PG_META_CRYPTO_KEY',
    'REALTIME_DB_ENC_KEY',
    'SUPABASE_ADMIN_PASSWORD',
    'AUTHENTICATOR_PASSWORD',
    'AUTH_ADMIN_PASSWORD',
    'STORAGE_ADMIN_PASSWORD',
    'COOLIFY_TOKEN',
    'SUPAPLANE_ENCRYPTION_KEY',
    'DATABASE_URL',
  ].flatMap((name) => [name, `*.${name}`]),
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'supaplane' } },
    destination,
  );
}
