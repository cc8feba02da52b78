import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';

/**
 * A real Postgres 15 server from Debian (the embedded one from npm is 17, and Debian's
 * pg_dump 15 refuses a newer server), run as the `postgres` user, with password
 * (scram) authentication over TCP and a `supabase_admin` superuser like the
 * supabase/postgres image's.
 */
export interface Pg15 {
  port: number;
  /** Superuser connection to a database of this server. */
  admin(database?: string): postgres.Sql;
  adminPassword: string;
  stop(): Promise<void>;
}

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startPg15(adminPassword: string): Promise<Pg15> {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  const dir = mkdtempSync(path.join(tmpdir(), 'pg15-'));
  chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, adminPassword);
  chownSync(pwfile, uid, gid);
  const as = { uid, gid, cwd: dir };
  execFileSync(
    `${PG15_BIN}/initdb`,
    [
      '-D',
      data,
      '-U',
      'supabase_admin',
      '--pwfile',
      pwfile,
      '--auth=scram-sha-256',
      '--locale=C',
      '--encoding=UTF8',
    ],
    { ...as, stdio: 'ignore' },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    `${PG15_BIN}/postgres`,
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ],
    { ...as, stdio: 'ignore' },
  );
  const admin = (database = 'postgres') =>
    postgres({
      host: '127.0.0.1',
      port,
      database,
      username: 'supabase_admin',
      password: adminPassword,
      max: 1,
      onnotice: () => {},
    });
  for (let i = 0; ; i++) {
    const sql = admin();
    try {
      await sql`select 1`;
      await sql.end();
      break;
    } catch (err) {
      await sql.end().catch(() => {});
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    admin,
    adminPassword,
    async stop() {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
