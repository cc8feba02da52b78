import postgres from 'postgres';
import type { Deps } from '../context.js';
import type { Project } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { loadProjectSecrets } from '../secrets/store.js';

/**
 * How Supaplane itself reaches a project's Postgres (pg_dump, pg_restore, psql): the
 * direct route of ADR 0003 (`db.<ref>.<domain>:5432`, TLS, Traefik routing by SNI) as
 * `supabase_admin`, the superuser that owns the schemas Supabase manages, so a dump
 * holds all of them. `SUPAPLANE_PROJECT_DATABASE_URL` (a template with `{ref}`) points
 * it elsewhere, e.g. a private network or a test cluster.
 */
export interface ProjectDatabase {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** libpq sslmode; `require` on the default route (Traefik terminates TLS). */
  sslmode?: string;
}

export const DEFAULT_PROJECT_DATABASE_URL =
  'postgresql://supabase_admin@db.{ref}.{domain}:5432/postgres?sslmode=require';

/** The project's database cannot be reached (v1 stack, nothing configured). Not retryable. */
export class ProjectDatabaseUnreachable extends AppError {
  constructor(message: string) {
    super('precondition', message);
    this.name = 'ProjectDatabaseUnreachable';
  }
}

/** Where and as whom to connect to `project`'s database; the password from its secrets. */
export async function projectDatabase(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  project: Pick<Project, 'id' | 'ref' | 'templateVersion'>,
): Promise<ProjectDatabase> {
  const configured = deps.config.SUPAPLANE_PROJECT_DATABASE_URL;
  // v1 stacks publish no database port and are not behind the SNI route
  // (docs/adr/0003-database-connections.md, "Context"): only an operator's own route works.
  if (!configured && project.templateVersion === 'v1') {
    throw new ProjectDatabaseUnreachable(
      `project ${project.ref} runs template v1, whose stack publishes no database port, so Supaplane cannot reach its database: upgrade it to v2 (supaplane projects upgrade ${project.ref}) or set SUPAPLANE_PROJECT_DATABASE_URL to a route that reaches it`,
    );
  }
  const domain = deps.config.SUPAPLANE_PROJECT_DOMAIN;
  const template = configured ?? DEFAULT_PROJECT_DATABASE_URL;
  if (template.includes('{domain}') && !domain) {
    throw new ProjectDatabaseUnreachable(
      'SUPAPLANE_PROJECT_DOMAIN is not set, so the database route db.<ref>.<domain> is unknown (or set SUPAPLANE_PROJECT_DATABASE_URL)',
    );
  }
  const url = new URL(
    template.replaceAll('{ref}', project.ref).replaceAll('{domain}', domain ?? ''),
  );
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (!secrets)
    throw new ProjectDatabaseUnreachable(`project ${project.ref} has no stored secrets`);
  const user = decodeURIComponent(url.username) || 'supabase_admin';
  // v2 gives supabase_admin its own password (template v2 roles.sql); in v1 the image's
  // migrate.sh gave it POSTGRES_PASSWORD, as it did postgres (supabase/postgres migrate.sh:46).
  const password =
    user === 'supabase_admin'
      ? (secrets.SUPABASE_ADMIN_PASSWORD ?? secrets.POSTGRES_PASSWORD)
      : secrets.POSTGRES_PASSWORD;
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    user,
    password,
    sslmode: url.searchParams.get('sslmode') ?? undefined,
  };
}

/** The same server and credentials, another database (restores build a new one beside it). */
export const onDatabase = (target: ProjectDatabase, database: string): ProjectDatabase => ({
  ...target,
  database,
});

/** A URL without the password, safe for logs and for pg_dump's `--dbname`. */
export function describeDatabase(target: ProjectDatabase): string {
  const url = new URL('postgresql://x');
  url.hostname = target.host;
  url.port = String(target.port);
  url.username = target.user;
  url.pathname = `/${target.database}`;
  if (target.sslmode) url.searchParams.set('sslmode', target.sslmode);
  return url.toString();
}

/** The environment that gives libpq tools the password without it appearing in `ps`. */
export function libpqEnv(target: ProjectDatabase): Record<string, string> {
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGDATABASE: target.database,
    PGUSER: target.user,
    PGPASSWORD: target.password,
    ...(target.sslmode ? { PGSSLMODE: target.sslmode } : {}),
    PGCONNECT_TIMEOUT: '15',
    PGAPPNAME: 'supaplane',
  };
}

/** A short-lived postgres.js connection (one session) to the project's database. */
export function connectProjectDatabase(target: ProjectDatabase): postgres.Sql {
  const ssl = target.sslmode && target.sslmode !== 'disable' ? 'require' : false;
  return postgres({
    host: target.host,
    port: target.port,
    database: target.database,
    username: target.user,
    password: target.password,
    ssl: target.sslmode === 'prefer' ? 'prefer' : ssl,
    max: 1,
    connect_timeout: 15,
    onnotice: () => {},
    connection: { application_name: 'supaplane' },
  });
}
