// A v1 project's database on a real Postgres 15 (v1's major): the stand-in for the
// supabase/postgres image's roles (test/fixtures/supabase-postgres-roles.sql), then v1's own
// init files from its compose, in migrate.sh's order (supabase/postgres
// migrations/db/migrate.sh:31-51@7db7e1a9), with the project's secrets. 98-webhooks.sql is
// left out: it needs pg_net, which Debian's Postgres lacks.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { parse } from 'yaml';
import { loadTemplate, templateEnv } from '../../src/provisioner/template.js';
import type { ProjectSecrets } from '../../src/secrets/generate.js';
import { startPg15, type Pg15 } from './pg15.js';
import { renderForTest } from './render-compose.js';

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

interface Service {
  environment?: string[];
  volumes?: (string | { target?: string; content?: string })[];
}

export interface V1ProjectDb {
  pg: Pg15;
  /** For SUPAPLANE_PROJECT_DATABASE_URL: every ref reaches this one server. */
  urlTemplate: string;
  connect(user: string, password: string): postgres.Sql;
  /** Runs v1's init as the image would for a project with these secrets. */
  init(ref: string, secrets: ProjectSecrets): Promise<void>;
  stop(): Promise<void>;
}

export async function startV1ProjectDb(): Promise<V1ProjectDb> {
  const pg = await startPg15(`boot${Math.random().toString(36).slice(2)}`);
  const connect = (user: string, password: string) =>
    postgres({
      host: '127.0.0.1',
      port: pg.port,
      database: 'postgres',
      username: user,
      password,
      max: 1,
      onnotice: () => {},
    });
  return {
    pg,
    urlTemplate: `postgresql://supabase_admin@127.0.0.1:${pg.port}/postgres?sslmode=disable&application_name={ref}`,
    connect,
    init: (ref, secrets) => initV1(pg, ref, secrets),
    stop: () => pg.stop(),
  };
}

async function initV1(pg: Pg15, ref: string, secrets: ProjectSecrets): Promise<void> {
  const env = templateEnv({ version: 'v1', ref, publicUrl: `https://${ref}.supa.test`, secrets });
  const db = (
    parse(renderForTest(await loadTemplate('v1'), env)) as { services: Record<string, Service> }
  ).services['supabase-db']!;
  const dbEnv = Object.fromEntries(
    (db.environment ?? []).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const initFile = (target: string) => {
    const v = db.volumes!.find((x) => typeof x === 'object' && x.target === target);
    if (typeof v !== 'object' || !v.content) throw new Error(`no init file ${target}`);
    return v.content;
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'v1-init-'));
  const psql = async (user: string, password: string, sql: string) => {
    const file = path.join(dir, `step-${Math.random().toString(36).slice(2)}.sql`);
    writeFileSync(file, sql);
    await run(
      '/usr/lib/postgresql/15/bin/psql',
      ['-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-h', '127.0.0.1', '-p', String(pg.port)].concat([
        '-U',
        user,
        '-d',
        'postgres',
        '-f',
        file,
      ]),
      { env: { PATH: process.env.PATH, ...dbEnv, PGPASSWORD: password } },
    );
  };
  const pass = secrets.POSTGRES_PASSWORD;
  const init = '/docker-entrypoint-initdb.d';
  await psql(
    'supabase_admin',
    pg.adminPassword,
    `create role postgres superuser login password '${pass}';`,
  );
  await psql(
    'postgres',
    pass,
    readFileSync(path.join(FIXTURES, 'supabase-postgres-roles.sql'), 'utf8'),
  );
  await psql('postgres', pass, initFile(`${init}/init-scripts/99-roles.sql`));
  await psql('postgres', pass, initFile(`${init}/init-scripts/99-jwt.sql`));
  await psql('postgres', pass, `ALTER USER supabase_admin WITH PASSWORD '${pass}'`);
  await psql(
    'supabase_admin',
    pass,
    readFileSync(path.join(FIXTURES, 'supabase-postgres-migrations.sql'), 'utf8'),
  );
  await psql('supabase_admin', pass, initFile(`${init}/migrations/99-realtime.sql`));
  rmSync(dir, { recursive: true, force: true });
}
