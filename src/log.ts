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
    'PGBOUNCER_PASSWORD',
    'COOLIFY_TOKEN',
    'SUPAPLANE_ENCRYPTION_KEY',
    'DATABASE_URL',
    'SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY',
    // A pg_restore/pg_dump environment, if one ever reaches a log line.
    'PGPASSWORD',
  ].flatMap((name) => [name, `*.${name}`]),
];

/**
 * `destination` defaults to stdout, written synchronously once per event-loop turn
 * (see `stdoutPerTurn`). pino's asynchronous destination was tried (issue 15) and lost
 * lines: a crash while a batch was in flight dropped that batch (lines 55-114 of 5,000
 * after an uncaught exception), and a size-triggered batch left its tail unflushed at
 * exit (test/log-flush.test.ts shows both cases now pass).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'supaplane' } },
    destination ?? stdoutPerTurn(),
  );
}

let stdout: DestinationStream | undefined;

/**
 * Lines gathered during one event-loop turn and written together with one
 * synchronous write(2) as the turn ends (setImmediate runs right after the poll
 * phase that answered the requests), and at once when the process exits, crash
 * included: Node emits 'exit' after an uncaught exception or unhandled rejection
 * and after process.exit, which main.ts calls on SIGTERM and SIGINT. Under load a
 * turn answers many requests, and one write(2) per request line cost ~16 µs of a
 * 68 µs project read (bench/hot-reads.ts, logs on vs off). What this gives up: a
 * SIGKILL, an OOM kill or a native abort loses the lines of the turn it lands in
 * (at most the requests answered in that turn, less than a millisecond of them);
 * with one write per line it lost none. The write itself is pino's synchronous
 * SonicBoom, which retries EAGAIN on a full pipe and stops on EPIPE.
 * One per process, shared by every logger, so lines keep their order.
 */
export function stdoutPerTurn(): DestinationStream {
  if (stdout) return stdout;
  const out = pino.destination({ dest: 1, sync: true });
  stdout = turnBatched(out);
  return stdout;
}

/** `into`, written once per event-loop turn and on exit (see stdoutPerTurn). */
export function turnBatched(into: { write(chunk: string): unknown }): DestinationStream {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    into.write(chunk);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
  };
}

/**
 * An error as log fields, never with query parameters: drizzle puts every bound
 * parameter of a failed query into its message (`Failed query: … params: …`), a new
 * password hash included, and Postgres quotes the offending value in its own message
 * (security audit 18.5). For a failed query only the SQL text, Postgres's error code
 * and the names of the constraint, table and column are kept: they name no values.
 */
export function describeError(err: unknown): Record<string, string> {
  if (!(err instanceof Error)) return { err: String(err) };
  const query = (err as { query?: unknown }).query;
  if (typeof query !== 'string' || !('params' in err)) {
    return { err: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  }
  const cause = ((err as { cause?: unknown }).cause ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = { err: `Failed query: ${query}` };
  for (const key of ['code', 'constraint_name', 'table_name', 'column_name'] as const) {
    if (typeof cause[key] === 'string') out[key] = cause[key];
  }
  // The stack without its first line, which is the message with the parameters.
  const frames = err.stack?.split('\n').filter((l) => /^\s+at /.test(l));
  if (frames?.length) out.stack = frames.join('\n');
  return out;
}

/**
 * The logger for the one line per request (src/observability/http-log.ts), with
 * the redaction net left out: that line has a fixed shape built field by field
 * (`req.{id,method,route,path}`, `res.status`, `ms`), none of whose keys is a
 * REDACT path, so redaction could never change it; yet pino's redaction with
 * these paths cost about 95 µs per line, more than the rest of a cached read.
 * test/log-redaction.test.ts checks both loggers write the same request line.
 */
export function requestLineLogger(log: Logger): Logger {
  return log.child({}, { redact: [] });
}
