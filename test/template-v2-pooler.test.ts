import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.js';
import { envOf, mountedFile, startV2Database, type V2Database } from './support/v2-database.js';

// v2's pooler, run for real: Debian's PgBouncer (/usr/sbin/pgbouncer, installed by
// .ci/run) starts through the template's own entrypoint script with the template's
// own pgbouncer.ini, against v2's init SQL on a real Postgres 17. Only what names the
// stack's containers and paths is replaced (each must occur exactly once), so a
// change to the shipped files changes what runs here. Traefik's TLS termination in
// front is not run here (see docs/adr/0003-database-connections.md).

const run = promisify(execFile);
const DB_PASS = 'Chosen.by-the~user42';

let db: V2Database;
let poolPort: number;
let pooler: ChildProcess | undefined;
let healthcheck: string[];
const logs: string[] = [];

function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1)
    throw new Error(`expected "${from}" once in the template's file, found ${count}`);
  return text.replace(from, to);
}

const throughPooler = (user: string, password: string) =>
  postgres({
    host: '127.0.0.1',
    port: poolPort,
    database: 'postgres',
    username: user,
    password,
    max: 1,
    // PgBouncer 1.18 (Debian) has no protocol-level prepared statements in
    // transaction mode; the image's 1.25 has (max_prepared_statements=200).
    prepare: false,
    ssl: false,
    connect_timeout: 5,
    onnotice: () => {},
  });

async function healthy(): Promise<boolean> {
  const [cmd, ...args] = healthcheck;
  return run(cmd!, args).then(
    () => true,
    () => false,
  );
}

beforeAll(async () => {
  db = await startV2Database({ dbPass: DB_PASS });
  const svc = db.services['supabase-pooler']!;
  const dir = path.join(db.dataDir, 'pooler');
  mkdirSync(dir, { recursive: true });
  // PgBouncer refuses to run as root; the image runs it as postgres, so do we.
  const owner = process.getuid?.() === 0 ? statSync(path.join(db.dataDir, 'pg')) : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  poolPort = await freePort();

  let ini = mountedFile(svc, '/etc/pgbouncer/pgbouncer.ini');
  ini = replaceOnce(ini, 'host=supabase-db port=5432', `host=127.0.0.1 port=${db.port}`);
  ini = replaceOnce(ini, 'listen_addr = 0.0.0.0', 'listen_addr = 127.0.0.1');
  ini = replaceOnce(ini, 'listen_port = 6543', `listen_port = ${poolPort}`);
  ini = replaceOnce(ini, '/var/run/pgbouncer/userlist.txt', path.join(dir, 'userlist.txt'));
  writeFileSync(path.join(dir, 'pgbouncer.ini'), ini);
  let entry = mountedFile(svc, '/etc/pgbouncer/supaplane-entrypoint.sh');
  entry = replaceOnce(entry, '/var/run/pgbouncer/userlist.txt', path.join(dir, 'userlist.txt'));
  entry = replaceOnce(
    entry,
    '/usr/bin/pgbouncer /etc/pgbouncer/pgbouncer.ini',
    `/usr/sbin/pgbouncer ${path.join(dir, 'pgbouncer.ini')}`,
  );
  writeFileSync(path.join(dir, 'entrypoint.sh'), entry);

  // The compose's entrypoint, with this copy of the script.
  expect(svc.entrypoint).toEqual(['/bin/sh', '/etc/pgbouncer/supaplane-entrypoint.sh']);
  pooler = spawn('/bin/sh', [path.join(dir, 'entrypoint.sh')], {
    env: { PATH: process.env.PATH, ...envOf(svc) },
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pooler.stdout?.on('data', (b: Buffer) => logs.push(b.toString()));
  pooler.stderr?.on('data', (b: Buffer) => logs.push(b.toString()));

  // The template's healthcheck, on this pooler's port.
  healthcheck = svc.healthcheck!.test!.slice(1).map((a) => (a === '6543' ? String(poolPort) : a));
  const deadline = Date.now() + 15_000;
  while (!(await healthy())) {
    if (pooler.exitCode !== null || Date.now() > deadline) {
      throw new Error(`PgBouncer did not start:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (process.env.POOLER_LOG) console.log(logs.join(''));
  pooler?.kill('SIGTERM');
  await db?.stop();
});

describe('template v2 pooler: PgBouncer with the template’s config', () => {
  it('passes the template’s healthcheck once it listens', async () => {
    expect(healthcheck[0]).toBe('pg_isready');
    expect(await healthy()).toBe(true);
  });

  it('lets postgres in with the password the user chose, in transaction mode', async () => {
    const a = throughPooler('postgres', DB_PASS);
    const b = throughPooler('postgres', DB_PASS);
    try {
      const [who] =
        await a`select current_user as u, current_setting('app.settings.jwt_secret', true) as s`;
      expect(who).toEqual({ u: 'postgres', s: null });
      const rows = await a.begin(async (tx) => {
        await tx`create temporary table t (n int) on commit drop`;
        await tx`insert into t values (1), (2)`;
        return tx`select sum(n)::int as total from t`;
      });
      expect(rows[0]!.total).toBe(3);
      // Transaction mode: two clients, one after the other, share one server
      // connection (in session mode the first would keep its own until it leaves).
      const [first] = await a`select pg_backend_pid() as pid`;
      const [second] = await b`select pg_backend_pid() as pid`;
      expect(second!.pid).toBe(first!.pid);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('lets the auth user read the console’s statistics, and change nothing', async () => {
    const consoleSql = (command: string) =>
      run(
        'psql',
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(poolPort),
          '-U',
          'pgbouncer',
          '-d',
          'pgbouncer',
          '-AXqtc',
          command,
        ],
        { env: { PATH: process.env.PATH, PGPASSWORD: db.secrets.PGBOUNCER_PASSWORD! } },
      );
    const client = throughPooler('postgres', DB_PASS);
    await client`select 1`;
    await client.end();
    // The pool the query above used runs in transaction mode.
    const pools = (await consoleSql('SHOW POOLS')).stdout;
    expect(pools).toMatch(/^postgres\|postgres\|.*\|transaction(\||$)/m);
    await expect(consoleSql('PAUSE postgres')).rejects.toThrow(/admin/i);
  });

  it('refuses a wrong password, another role’s password and an unknown role', async () => {
    for (const [user, password] of [
      ['postgres', 'not-the-password'],
      ['postgres', db.secrets.PGBOUNCER_PASSWORD!],
      ['nobody', DB_PASS],
    ] as const) {
      const sql = throughPooler(user, password);
      // 1.18 says "no such user" for a role get_auth does not return.
      await expect(sql`select 1`, `${user}`).rejects.toThrow(
        /password authentication failed|SASL|no such user/,
      );
      await sql.end();
    }
  });

  it('gives the pgbouncer role nothing but get_auth', async () => {
    const sql = db.connect('pgbouncer', db.secrets.PGBOUNCER_PASSWORD!);
    try {
      const [own] = await sql`select * from pgbouncer.get_auth('postgres')`;
      expect(own!.username).toBe('postgres');
      expect(own!.password).toMatch(/^SCRAM-SHA-256\$/);
      // Roles that cannot log in are not looked up.
      expect(await sql`select * from pgbouncer.get_auth('anon')`).toEqual([]);
      const owner = db.connect('supabase_admin', db.secrets.SUPABASE_ADMIN_PASSWORD!);
      await owner`create table public.private_data (secret text)`;
      await owner.end();
      for (const statement of [
        'select * from pg_authid',
        'select * from public.private_data',
        'create table public.t (n int)',
        'create table pgbouncer.t (n int)',
        'create schema mine',
        'drop function pgbouncer.get_auth(text)',
        "create or replace function pgbouncer.get_auth(p_usename text) returns table (username text, password text) language sql as 'select null::text, null::text'",
        'set role postgres',
        "select pg_read_file('postgresql.conf')",
      ]) {
        await expect(sql.unsafe(statement), statement).rejects.toThrow(
          /permission denied|must be owner|must be member/,
        );
      }
      const [member] =
        await sql`select count(*)::int as n from pg_auth_members m join pg_roles r on r.oid = m.member where r.rolname = 'pgbouncer'`;
      expect(member!.n).toBe(0);
    } finally {
      await sql.end();
    }
  });
});
