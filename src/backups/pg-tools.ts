import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { AppError } from '../errors.js';
import {
  connectProjectDatabase,
  libpqEnv,
  type ProjectDatabase,
} from '../database/project-database.js';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

/**
 * The tool of the server's own major: pg_dump refuses a newer server, and an older
 * server's dump restored by a newer pg_restore is fine, but not the reverse.
 */
export async function pgToolPath(binDirTemplate: string, major: number, tool: PgTool) {
  const path = `${binDirTemplate.replaceAll('{major}', String(major))}/${tool}`;
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new AppError(
      'precondition',
      `${tool} for Postgres ${major} is not installed (looked for ${path}); install postgresql-client-${major} (the Supaplane image ships 15 and 17) or set SUPAPLANE_PG_BIN_DIR`,
    );
  }
  return path;
}

export interface ServerVersion {
  major: number;
  /** e.g. `15.8` or `17.6 (Debian 17.6-1)`. */
  version: string;
}

export async function serverVersion(target: ProjectDatabase): Promise<ServerVersion> {
  const sql = connectProjectDatabase(target);
  try {
    const [row] = await sql<{ num: string; version: string }[]>`
      select current_setting('server_version_num') as num, current_setting('server_version') as version`;
    return { major: Math.floor(Number(row!.num) / 10000), version: row!.version };
  } catch (err) {
    throw new Error(
      `cannot connect to the project database ${target.host}:${target.port}/${target.database}: ${(err as Error).message}`,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}

type Child = ChildProcessByStdio<Writable | null, Readable | null, Readable>;

/**
 * Starts a libpq tool with the password in its environment (never on the command line,
 * where `ps` shows it). `done` resolves on exit 0 and rejects with the tool's last
 * stderr lines otherwise.
 */
export function startTool(
  path: string,
  args: readonly string[],
  target: ProjectDatabase,
  stdio: { stdin: boolean; stdout: boolean },
): { child: Child; done: Promise<void> } {
  const child = spawn(path, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...libpqEnv(target) },
    stdio: [stdio.stdin ? 'pipe' : 'ignore', stdio.stdout ? 'pipe' : 'ignore', 'pipe'],
  }) as Child;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const name = path.split('/').pop();
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${name} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ') || 'no output'}`,
          ),
        );
    });
  });
  return { child, done };
}
