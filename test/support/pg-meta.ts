import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PgMeta {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** Its stdout and stderr, for failure messages. */
  output: string[];
  close(): Promise<void>;
}

/**
 * The real postgres-meta server from npm (`@supabase/postgres-meta`), in a child
 * process against `databaseUrl`. A child, not an import: its config is read from env
 * once per process (module-level constants), and it owns its own connection pools.
 *
 * Its native Sentry profiler is not built (`allowScripts`), which is harmless: the
 * profiling integration only loads the binary when Sentry is enabled, and Sentry is
 * disabled without SENTRY_DSN (set empty here to be sure).
 */
export async function startPgMeta(databaseUrl: string): Promise<PgMeta> {
  return startPgMetaWithEnv({
    PG_META_DB_URL: databaseUrl,
    CRYPTO_KEY: randomBytes(24).toString('hex'),
  });
}

/** postgres-meta with the given database env (e.g. a template's own) on a free port. */
export async function startPgMetaWithEnv(dbEnv: Record<string, string>): Promise<PgMeta> {
  const require = createRequire(import.meta.url);
  const root = path.dirname(require.resolve('@supabase/postgres-meta/package.json'));
  // It listens on PORT and its admin (metrics) app on PORT + 1.
  const port = await freePortPair();
  const output: string[] = [];
  const child = spawn(process.execPath, [path.join(root, 'dist/server/server.js')], {
    env: {
      PATH: process.env.PATH,
      ...dbEnv,
      PG_META_HOST: '127.0.0.1',
      PG_META_PORT: String(port),
      SENTRY_DSN: '',
      ENVIRONMENT: 'test',
      PG_CONN_TIMEOUT_SECS: '10',
      PG_QUERY_TIMEOUT_SECS: '20',
      PG_META_SHUTDOWN_GRACE_PERIOD_SECS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { url, output, close: () => stop(child) };
}

async function waitHealthy(url: string, child: ChildProcess, output: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`postgres-meta exited (${child.exitCode}):\n${output.join('')}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`postgres-meta did not become healthy:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const listenOn = (port: number) =>
  new Promise<number | undefined>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const bound = (srv.address() as { port: number }).port;
      srv.close(() => resolve(bound));
    });
  });

/** A port p such that p and p + 1 are both free right now. */
async function freePortPair(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const p = await listenOn(0);
    if (p !== undefined && p < 65535 && (await listenOn(p + 1)) !== undefined) return p;
  }
  throw new Error('no pair of free ports found');
}
