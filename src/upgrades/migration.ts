import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  connectProjectDatabase,
  libpqEnv,
  type ProjectDatabase,
} from '../database/project-database.js';
import { pgToolPath, serverVersion } from '../backups/pg-tools.js';
import { fromRoot } from '../paths.js';

/** A migration's SQL failed: not retried (it would fail the same way), the upgrade rolls back. */
export class MigrationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationFailed';
  }
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/**
 * Runs `coolify-templates/supabase/<version>/<file>` with psql in one transaction, so a
 * failing statement leaves the database as it was. The psql variables go in on stdin as
 * `\set` lines and the password through PGPASSWORD: no secret in the process list.
 */
export async function runMigrationFile(
  target: ProjectDatabase,
  binDirTemplate: string,
  version: string,
  file: string,
  vars: Record<string, string>,
  timeoutMs = 120_000,
): Promise<void> {
  const sql = await readFile(fromRoot('coolify-templates', 'supabase', version, file), 'utf8');
  const { major } = await serverVersion(target);
  const psql = await pgToolPath(binDirTemplate, major, 'psql');
  const header = Object.entries(vars)
    .map(([k, v]) => `\\set ${k} ${quote(v)}`)
    .join('\n');
  const child = spawn(
    psql,
    ['--no-psqlrc', '--single-transaction', '--quiet', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
    {
      env: { ...process.env, ...libpqEnv(target) },
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdin.end(`${header}\n${sql}\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) {
    throw new MigrationFailed(`${file} failed (psql exit ${code}): ${stderr.trim().slice(0, 500)}`);
  }
}

/**
 * Which of `passwords` the target's user logs in with now. A migration changes
 * supabase_admin's own password, so a resumed or rolled-back upgrade may find either.
 * Undefined when the server does not answer or takes none of them.
 */
export async function workingPassword(
  target: ProjectDatabase,
  passwords: readonly string[],
): Promise<{ password?: string; detail: string }> {
  let detail = 'no password to try';
  for (const password of passwords) {
    const sql = connectProjectDatabase({ ...target, password });
    try {
      await sql`select 1`;
      return { password, detail: 'connected' };
    } catch (err) {
      detail = (err as Error).message;
      // Not an authentication failure: the server is not there yet, another password won't help.
      if ((err as { code?: string }).code !== '28P01') return { detail };
    } finally {
      await sql.end({ timeout: 1 }).catch(() => undefined);
    }
  }
  return { detail };
}
