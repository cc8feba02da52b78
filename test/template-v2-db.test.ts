import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgMetaWithEnv, type PgMeta } from './support/pg-meta.js';
import { envOf, startV2Database, type V2Database } from './support/v2-database.js';

// v2's init SQL on a real Postgres after the stand-in for the image's roles
// (test/support/v2-database.ts says how and in which order).

let db: V2Database;
let port: number;
let secrets: V2Database['secrets'];
let rendered: { services: V2Database['services'] };
const connect = (user: string, password: string) => db.connect(user, password);

beforeAll(async () => {
  db = await startV2Database();
  ({ port, secrets } = db);
  rendered = { services: db.services };
}, 120_000);

afterAll(async () => {
  await db?.stop();
});

const LOGINS = {
  postgres: () => secrets.POSTGRES_PASSWORD,
  supabase_admin: () => secrets.SUPABASE_ADMIN_PASSWORD!,
  authenticator: () => secrets.AUTHENTICATOR_PASSWORD!,
  supabase_auth_admin: () => secrets.AUTH_ADMIN_PASSWORD!,
  supabase_storage_admin: () => secrets.STORAGE_ADMIN_PASSWORD!,
  pgbouncer: () => secrets.PGBOUNCER_PASSWORD!,
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
    // A role no v2 service logs in as has no password at all.
    for (const role of ['supabase_functions_admin']) {
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

  // Last: it rewrites the roles (to the same passwords) the tests above rely on.
  it('upgrade-from-v1.sql takes a v1-style database to v2’s roles and settings', async () => {
    const admin = secrets.SUPABASE_ADMIN_PASSWORD!;
    // What v1 left (99-jwt.sql and roles.sql of v1): the JWT secret in the database's
    // settings, every service role on the user's password, pgbouncer owning its schema.
    const v1Roles = ['authenticator', 'supabase_auth_admin', 'supabase_storage_admin', 'pgbouncer'];
    await db.psql(
      'supabase_admin',
      admin,
      [
        `ALTER DATABASE postgres SET "app.settings.jwt_secret" TO '${secrets.JWT_SECRET}';`,
        ...v1Roles.map((r) => `ALTER USER ${r} WITH PASSWORD '${secrets.POSTGRES_PASSWORD}';`),
        'ALTER SCHEMA pgbouncer OWNER TO pgbouncer;',
      ].join('\n'),
    );
    await db.psql(
      'supabase_admin',
      admin,
      readFileSync(path.resolve('coolify-templates/supabase/v2/upgrade-from-v1.sql'), 'utf8'),
      {
        admin_pass: admin,
        authenticator_pass: secrets.AUTHENTICATOR_PASSWORD!,
        auth_pass: secrets.AUTH_ADMIN_PASSWORD!,
        storage_pass: secrets.STORAGE_ADMIN_PASSWORD!,
        pgbouncer_pass: secrets.PGBOUNCER_PASSWORD!,
      },
    );
    for (const [role, own] of Object.entries(LOGINS)) {
      const sql = connect(role, own());
      expect((await sql`select current_user as u`)[0]!.u, role).toBe(role);
      await sql.end();
    }
    const sql = connect('postgres', secrets.POSTGRES_PASSWORD);
    const [row] =
      await sql`select current_setting('app.settings.jwt_secret', true) as s, (select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'pgbouncer') as owner`;
    expect(row).toEqual({ s: null, owner: 'supabase_admin' });
    await sql.end();
  });
});
