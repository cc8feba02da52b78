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
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'supaplane' } },
    destination,
  );
}
