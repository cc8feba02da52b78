import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/config.js';
import type { Deps } from '../../src/context.js';
import { keyringFromBase64 } from '../../src/crypto/envelope.js';
import { organizations, projects, type Project } from '../../src/db/schema/index.js';
import { generateProjectSecrets, randomAlnum } from '../../src/secrets/generate.js';
import { saveProjectSecrets } from '../../src/secrets/store.js';
import type { TestDatabase } from '../support/db.js';
import { TEST_KEY } from '../support/harness.js';
import { capturedLogger } from '../support/log-capture.js';
import { PG15_BIN, type Pg15 } from '../support/pg15.js';

/** A lowercase 20-letter ref, as the projects table demands. */
export const newRef = () =>
  Array.from(
    { length: 20 },
    () => 'abcdefghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 26)],
  ).join('');

export function backupDeps(db: TestDatabase, pg: Pg15, env: Record<string, string> = {}): Deps {
  const config = parseConfig({
    DATABASE_URL: db.url,
    SUPAPLANE_ENCRYPTION_KEY: TEST_KEY,
    SUPAPLANE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'supaplane-backups-')),
    SUPAPLANE_PROJECT_DATABASE_URL: `postgresql://supabase_admin@127.0.0.1:${pg.port}/{ref}`,
    LOG_LEVEL: 'debug',
    ...env,
  });
  return {
    db: db.db,
    config,
    keyring: keyringFromBase64(TEST_KEY),
    authKey: new Uint8Array(32),
    log: capturedLogger().log,
  };
}

/** A project row whose stored supabase_admin password is the test server's. */
export async function projectOn(
  deps: Pick<Deps, 'db' | 'keyring'>,
  pg: Pg15,
  opts: { organizationId?: number; templateVersion?: string } = {},
): Promise<Project> {
  const organizationId =
    opts.organizationId ??
    (
      await deps.db
        .insert(organizations)
        .values({ slug: `org-${randomAlnum(8).toLowerCase()}`, name: 'Backups' })
        .returning()
    )[0]!.id;
  const version = opts.templateVersion ?? 'v2';
  const [project] = await deps.db
    .insert(projects)
    .values({
      ref: newRef(),
      name: 'backed up',
      organizationId,
      status: 'ACTIVE_HEALTHY',
      serverUuid: 'server-1',
      templateVersion: version,
    })
    .returning();
  const secrets = await generateProjectSecrets(version);
  if (version === 'v2') secrets.SUPABASE_ADMIN_PASSWORD = pg.adminPassword;
  else secrets.POSTGRES_PASSWORD = pg.adminPassword;
  await saveProjectSecrets(deps.db, deps.keyring, project!.id, secrets);
  return project!;
}

export const KNOWN_ROW_VALUE = 'row-value-4f1c9e7d-never-in-plaintext';
export const KNOWN_SCHEMA_MARKER = 'schema-marker-0b3d5a-in-the-toc';

/**
 * What a Supabase project's database holds, in miniature: API roles, an `auth` schema
 * standing in for GoTrue's with a user, tables with rows, a function, RLS policies,
 * grants and a database setting.
 */
export async function seedProjectDatabase(pg: Pg15, ref: string): Promise<void> {
  const root = pg.admin();
  await root.unsafe(`create database ${ref}`);
  await root.unsafe(`
    do $$ begin
      if not exists (select from pg_roles where rolname = 'anon') then create role anon nologin; end if;
      if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if;
      if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then create role supabase_auth_admin login; end if;
    end $$;`);
  await root.unsafe(`alter database ${ref} set "app.settings.jwt_exp" to '3600'`);
  await root.end();
  const sql = pg.admin(ref);
  await sql.unsafe(`
    create schema auth authorization supabase_auth_admin;
    create table auth.users (id uuid primary key, email text unique, encrypted_password text, created_at timestamptz default now());
    alter table auth.users owner to supabase_auth_admin;
    insert into auth.users (id, email, encrypted_password) values
      ('6b1f6a49-7c3d-4f0e-9a57-0d7f2b1c9e11', 'ada@example.com', '$2a$10$abcdefghijklmnopqrstuv');
    create function auth.uid() returns uuid language sql stable as
      $f$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
    create table public.todos (id bigint generated always as identity primary key,
      owner uuid not null references auth.users(id), title text not null, done boolean default false);
    insert into public.todos (owner, title) select '6b1f6a49-7c3d-4f0e-9a57-0d7f2b1c9e11', 'todo ' || g from generate_series(1, 500) g;
    insert into public.todos (owner, title) values ('6b1f6a49-7c3d-4f0e-9a57-0d7f2b1c9e11', '${KNOWN_ROW_VALUE}');
    alter table public.todos enable row level security;
    create policy "own todos" on public.todos for select to authenticated using (owner = auth.uid());
    create policy "own inserts" on public.todos for insert to authenticated with check (owner = auth.uid());
    grant select, insert on public.todos to authenticated;
    create function public.open_todos(who uuid) returns bigint language plpgsql as $f$
      begin
        -- ${KNOWN_SCHEMA_MARKER}
        return (select count(*) from public.todos where owner = who and not done);
      end $f$;
    create table public.events (at timestamptz default now(), payload jsonb);
    insert into public.events (payload) select jsonb_build_object('n', g) from generate_series(1, 200) g;
  `);
  await sql.end();
}

/** A checksum of every table's rows, the schema dump, and the database's settings. */
export async function fingerprint(pg: Pg15, ref: string) {
  const sql = pg.admin(ref);
  try {
    const tables = await sql<{ s: string; t: string }[]>`
      select table_schema as s, table_name as t from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
      order by 1, 2`;
    const sums: Record<string, string> = {};
    for (const { s, t } of tables) {
      const [row] = await sql.unsafe(
        `select count(*)::text || ':' || coalesce(md5(string_agg(x::text, ',' order by x::text)), '') as sum from "${s}"."${t}" x`,
      );
      sums[`${s}.${t}`] = row!.sum as string;
    }
    const settings = await sql`
      select r.rolname, s.setconfig from pg_db_role_setting s
      left join pg_roles r on r.oid = s.setrole
      where s.setdatabase = (select oid from pg_database where datname = current_database())`;
    const schema = execFileSync(
      `${PG15_BIN}/pg_dump`,
      ['--schema-only', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'supabase_admin', ref],
      {
        env: { ...process.env, PGPASSWORD: pg.adminPassword },
      },
    )
      .toString()
      // pg_dump 15.14+ brackets its output with a random \restrict key per run.
      .replace(/^\\(un)?restrict .*$/gm, '');
    return { sums, settings: JSON.stringify(settings), schema };
  } finally {
    await sql.end();
  }
}
