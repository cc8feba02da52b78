import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { loadOrCreateLocalKey } from '../crypto/local-key.js';

/**
 * The URL of the embedded Postgres a running `npm start` serves from `dataDir`,
 * read from Postgres's own postmaster.pid (line 4 is the port). Lets the CLI
 * work beside a running server instead of trying to start a second Postgres on
 * the same data directory.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  try {
    const pidFile = path.resolve(dataDir, 'pg', 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
    if (!pid || !port || !isAlive(Number(pid))) return undefined;
    const password = readFileSync(path.resolve(dataDir, 'pg-password'), 'utf8').trim();
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(port)}/postgres`;
  } catch {
    return undefined; // not readable by this user: fall back to starting our own
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/**
 * With no DATABASE_URL, points the config at the embedded Postgres of a running
 * server when there is one (and at the data dir's generated key). Otherwise the
 * runtime starts the embedded Postgres itself, as `npm start` does.
 */
export function withRunningEmbedded(config: Config, warn: (msg: string) => void): Config {
  if (config.DATABASE_URL) return config;
  const url = runningEmbeddedUrl(config.SUPAPLANE_DATA_DIR);
  if (!url) return config;
  if (config.SUPAPLANE_ENCRYPTION_KEYS) return { ...config, DATABASE_URL: url };
  return {
    ...config,
    DATABASE_URL: url,
    SUPAPLANE_ENCRYPTION_KEY:
      config.SUPAPLANE_ENCRYPTION_KEY ?? loadOrCreateLocalKey(config.SUPAPLANE_DATA_DIR, warn),
  };
}

/** `postgres://user@host:port/db`, never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
