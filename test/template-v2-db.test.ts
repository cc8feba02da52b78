import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.js';
import { loadTemplate, templateEnv } from '../src/provisioner/template.js';
import { renderForTest } from './support/render-compose.js';
import { generateProjectSecrets } from '../src/secrets/generate.js';
import { startPgMetaWithEnv, type PgMeta } from './support/pg-meta.js';

// v2's init files run on a real Postgres (its own embedded server: roles are
// per server, and this one's bootstrap superuser is supabase_admin, as in the
// supabase/postgres image), after a documented stand-in for the image's roles
// (test/fixtures/supabase-postgres-*.sql), in migrate.sh's order
// (supabase/postgres migrations/db/migrate.sh:31-51@7db7e1a9). webhooks.sql is left
// out: it needs pg_net, which the embedded Postgres lacks.

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures');

interface Volume {
  target?: string;
  content?: string;
}
interface Service {
  environment?: string[];
  volumes?: (string | Volume)[];
}

const secrets = await generateProjectSecrets('v2');
const env = templateEnv({
  version: 'v2',
  ref: 'abcdefghijklmnopqrst',
  publicUrl: 'https://abcdefghijklmnopqrst.example.com',
  secrets,
  functions: { url: '', token: 'delivery-token' },
});
const rendered = parse(renderForTest(await loadTemplate('v2'), env)) as {
  services: Record<string, Service>;
};
const envOf = (svc: Service) =>
  Object.fromEntries(
    (svc.environment ?? []).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
const initFile = (target: string) => {
  const v = rendered.services['supabase-db']!.volumes!.find(
    (x): x is Volume => typeof x === 'object' && x.target === target,
  );
  if (!v?.content) throw new Error(`no init file ${target}`);
  return v.content;
};

let pg: EmbeddedPostgres;
let dataDir: string;
let port: number;

/** psql as migrate.sh runs it: ON_ERROR_STOP, the db container's env for backticks. */
async function psql(user: string, password: string, sql: string) {
  const file = path.join(dataDir, `step-${Math.random().toString(36).slice(2)}.sql`);
  writeFileSync(file, sql);
  const dbEnv = envOf(rendered.services['supabase-db']!);
  await run(
    'psql',
    [
      '-v',
      'ON_ERROR_STOP=1',
      '--no-psqlrc',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      user,
      '-d',
      'postgres',
      '-f',
      file,
    ],
    { env: { PATH: process.env.PATH, ...dbEnv, PGPASSWORD: password } },
  );
}

const connect = (user: string, password: string) =>
  postgres({
    host: '127.0.0.1',
    port,
    database: 'postgres',
    username: user,
    password,
    max: 1,
    onnotice: () => {},
  });

beforeAll(async () => {
  // Under the checkout, like global-setup's: as root, Postgres runs as a system user
  // that cannot enter a private tmpdir.
  mkdirSync(path.resolve('.test-data'), { recursive: true });
  dataDir = mkdtempSync(path.resolve('.test-data', 'v2-db-'));
  chmodSync(dataDir, 0o755);
  pg = await startEmbeddedPostgres(dataDir, () => {}, 'supabase_admin');
  const url = new URL(pg.url);
  port = Number(url.port);
  const bootstrap = decodeURIComponent(url.password);
  const initPass = secrets.POSTGRES_PASSWORD;
  // migrate.sh:31-40: postgres, a superuser until the demotion migration.
  await psql(
    'supabase_admin',
    bootstrap,
    `create role postgres superuser login password '${initPass}';`,
  );
  await psql(
    'postgres',
    initPass,
    readFileSync(path.join(FIXTURES, 'supabase-postgres-roles.sql'), 'utf8'),
  );
  // migrate.sh:42-45: init-scripts/*, as postgres.
  await psql('postgres', initPass, initFile('/docker-entrypoint-initdb.d/init-scripts/99-jwt.sql'));
  // migrate.sh:46
  await psql('postgres', initPass, `ALTER USER supabase_admin WITH PASSWORD '${initPass}'`);
  // migrate.sh:48-51: migrations/*, as supabase_admin, in name order.
  await psql(
    'supabase_admin',
    initPass,
    readFileSync(path.join(FIXTURES, 'supabase-postgres-migrations.sql'), 'utf8'),
  );
  // A grant an older image or a user might have left: v2's roles file removes it.
  await psql('supabase_admin', initPass, 'grant pgbouncer to authenticator;');
  await psql(
    'supabase_admin',
    initPass,
    initFile('/docker-entrypoint-initdb.d/migrations/99-realtime.sql'),
  );
  await psql(
    'supabase_admin',
    initPass,
    initFile('/docker-entrypoint-initdb.d/migrations/zz-supaplane-roles.sql'),
  );
}, 120_000);

afterAll(async () => {
  await pg?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const LOGINS = {
  postgres: () => secrets.POSTGRES_PASSWORD,
  supabase_admin: () => secrets.SUPABASE_ADMIN_PASSWORD!,
  authenticator: () => secrets.AUTHENTICATOR_PASSWORD!,
  supabase_auth_admin: () => secrets.AUTH_ADMIN_PASSWORD!,
  supabase_storage_admin: () => secrets.STORAGE_ADMIN_PASSWORD!,
};

describe('template v2 init SQL on a real Postgres', () => {
  it('gives every service role its own password, and no other password works', async () => {
    const passwords = Object.values(LOGINS).map((p) => p());
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const [role, own] of Object.entries(LOGINS)) {
      const sql = connect(role, own());
      expect((await sql`select current_user as u`)[0]!.u).toBe(role);
      await sql.end();
      for (const other of passwords.filter((p) => p !== own())) {
        const bad = connect(role, other);
        await expect(bad`select 1`, `${role} with another role's password`).rejects.toThrow(
          /password authentication failed/,
        );
        await bad.end();
      }
    }
    // Roles no v2 service logs in as have no password at all.
    for (const role of ['pgbouncer', 'supabase_functions_admin']) {
      const sql = connect('supabase_admin', secrets.SUPABASE_ADMIN_PASSWORD!);
      const [row] =
        await sql`select rolpassword is null as none from pg_authid where rolname = ${role}`;
      expect(row!.none, role).toBe(true);
      await sql.end();
    }
  });

  it('keeps the JWT secret out of SQL for anon, authenticated, service_role and postgres', async () => {
    const sql = connect('authenticator', secrets.AUTHENTICATOR_PASSWORD!);
    for (const role of ['anon', 'authenticated', 'service_role']) {
      const rows = await sql.begin(async (tx) => {
        await tx.unsafe(`set local role ${role}`);
        return tx`select current_user as u, current_setting('app.settings.jwt_secret', true) as s, current_setting('app.settings.jwt_exp', true) as e`;
      });
      expect(rows[0], role).toEqual({ u: role, s: null, e: '3600' });
    }
    await sql.end();
    const pgUser = connect('postgres', secrets.POSTGRES_PASSWORD);
    const [row] =
      await pgUser`select current_setting('app.settings.jwt_secret', true) as s, (select rolsuper from pg_roles where rolname = 'postgres') as su`;
    expect(row).toEqual({ s: null, su: false });
    // Nowhere in the database's or any role's settings either.
    const settings =
      await pgUser`select array_to_string(setconfig, ',') as c from pg_db_role_setting`;
    for (const s of settings) expect(s.c).not.toContain(secrets.JWT_SECRET);
    expect(settings.map((s) => s.c).join()).not.toContain('jwt_secret');
    await pgUser.end();
  });

  it('lets authenticator become anon, authenticated and service_role, and nothing more', async () => {
    const sql = connect('authenticator', secrets.AUTHENTICATOR_PASSWORD!);
    const roles =
      await sql`select rolname from pg_roles where rolname not like 'pg\\_%' order by 1`;
    const allowed: string[] = [];
    for (const { rolname } of roles) {
      const ok = await sql
        .begin(async (tx) => {
          await tx.unsafe(`set local role "${rolname}"`);
        })
        .then(
          () => true,
          () => false,
        );
      if (ok && rolname !== 'authenticator') allowed.push(rolname as string);
    }
    expect(allowed.sort()).toEqual(['anon', 'authenticated', 'service_role']);
    await sql.end();
  });

  it('runs postgres-meta from npm with the template env, as postgres (not a superuser)', async () => {
    const metaEnv = envOf(rendered.services['supabase-meta']!);
    expect(metaEnv.PG_META_DB_USER).toBe('postgres');
    let meta: PgMeta | undefined;
    try {
      meta = await startPgMetaWithEnv({
        ...metaEnv,
        // The compose's host and port are the stack's; here the embedded server's.
        PG_META_DB_HOST: '127.0.0.1',
        PG_META_DB_PORT: String(port),
      });
      const res = await fetch(`${meta.url}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            "select current_user as u, (select rolsuper from pg_roles where rolname = current_user) as su, current_setting('app.settings.jwt_secret', true) as s",
        }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([{ u: 'postgres', su: false, s: null }]);
      // COPY ... PROGRAM needs superuser (or pg_execute_server_program): refused.
      const copy = await fetch(`${meta.url}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: "copy (select 1) to program 'true'" }),
      });
      expect(copy.status).toBe(400);
    } finally {
      await meta?.close();
    }
  });
});
