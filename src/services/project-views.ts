import { and, asc, count, desc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import {
  memberships,
  organizations,
  projects,
  type Organization,
  type Project,
  type ProjectStatus,
} from '../db/schema/index.js';
import { precondition } from '../errors.js';
import type { ProjectSecrets } from '../secrets/generate.js';
import { loadProjectSecrets } from '../secrets/store.js';
import { STUDIO_CLOUD_PROVIDER } from './regions.js';
import { projectPublicUrl } from './urls.js';

/**
 * Studio's response shapes, built from our rows. The shapes are pure (no I/O),
 * so every transport can share them; `listProjectsPage` is the one query here,
 * because the paginated lists must filter, sort and count in SQL.
 */

const iso = (d: Date) => d.toISOString();

/** The project's API host without a scheme: Studio's `app_config.endpoint` (it adds https://). */
export const projectHost = (config: Config, ref: string) =>
  new URL(projectPublicUrl(config, ref)).host;

// Template v1 publishes no Postgres port; this is the name a TCP route would use
// (Supabase's own convention), shown so Studio's connection strings are well formed.
export const projectDbHost = (config: Config, ref: string) => `db.${projectHost(config, ref)}`;

/** Versions pinned by each compose template (coolify-templates/supabase/<version>). */
const SERVICE_VERSIONS: Record<string, Record<string, string>> = {
  v1: { gotrue: 'v2.186.0', postgrest: 'v14.5', 'supabase-postgres': '15.8.1.085' },
};
export const serviceVersions = (p: Pick<Project, 'templateVersion'>) =>
  SERVICE_VERSIONS[p.templateVersion] ?? {};

/**
 * Databases have their own, narrower status enum in Studio: the project-only
 * states map to the nearest database state (a paused database is not running and
 * its state is best described as unknown; a failed pause leaves it running).
 */
const DATABASE_STATUS: Partial<Record<ProjectStatus, string>> = {
  INACTIVE: 'UNKNOWN',
  PAUSING: 'GOING_DOWN',
  UPGRADING: 'RESTARTING',
  RESTORE_FAILED: 'INIT_FAILED',
  PAUSE_FAILED: 'ACTIVE_UNHEALTHY',
};
export const databaseStatus = (s: ProjectStatus) => DATABASE_STATUS[s] ?? s;

// Studio keys billing state by subscription; every Supaplane organization has one plan.
const subscriptionId = (organizationId: number) => `supaplane-${organizationId}`;

const base = (p: Project) => ({
  id: p.id,
  ref: p.ref,
  name: p.name,
  organization_id: p.organizationId,
  cloud_provider: STUDIO_CLOUD_PROVIDER,
  region: p.serverUuid,
  status: p.status,
  inserted_at: iso(p.createdAt),
});

/** Item of GET /platform/projects without `Version: 2` (ProjectInfo). */
export const projectInfoView = (p: Project, organizationSlug: string) => ({
  ...base(p),
  organization_slug: organizationSlug,
  is_branch_enabled: false,
  is_physical_backups_enabled: false,
  preview_branch_refs: [] as string[],
  subscription_id: subscriptionId(p.organizationId),
});

/** Item of the paginated lists (org projects, and all projects with `Version: 2`). */
export const projectListItemView = (p: Project, organizationSlug: string) => ({
  ...base(p),
  organization_slug: organizationSlug,
  is_branch: false,
  databases: [
    {
      identifier: p.ref,
      type: 'PRIMARY' as const,
      status: databaseStatus(p.status),
      region: p.serverUuid,
      cloud_provider: STUDIO_CLOUD_PROVIDER,
    },
  ],
});

export const paginatedView = <T>(
  items: T[],
  page: { count: number; limit: number; offset: number },
) => ({ pagination: page, projects: items });

/** GET /platform/projects/{ref} (ProjectDetailResponse). */
export const projectDetailView = (config: Config, p: Project) => {
  const version = serviceVersions(p)['supabase-postgres'];
  return {
    ...base(p),
    db_host: projectDbHost(config, p.ref),
    restUrl: `${projectPublicUrl(config, p.ref)}/rest/v1/`,
    // Studio echoes this back as x-connection-encrypted and blocks DB pages while it
    // is empty. Our proxies resolve the database from {ref}, so it carries no secret.
    connectionString: `enc:${p.ref}`,
    subscription_id: subscriptionId(p.organizationId),
    is_branch_enabled: false,
    is_physical_backups_enabled: false,
    ...(version ? { dbVersion: `supabase-postgres-${version}` } : {}),
  };
};

export const projectStatusView = (p: Project) => ({ status: p.status });

/** POST /platform/projects (CreateProjectResponse): the creator gets both legacy keys. */
export const createdProjectView = (
  config: Config,
  p: Project,
  org: Pick<Organization, 'slug'>,
  secrets: Pick<ProjectSecrets, 'SUPABASE_ANON_KEY' | 'SUPABASE_SERVICE_KEY'>,
) => ({
  ...projectInfoView(p, org.slug),
  endpoint: projectPublicUrl(config, p.ref),
  anon_key: secrets.SUPABASE_ANON_KEY,
  service_key: secrets.SUPABASE_SERVICE_KEY,
});

const DB = { port: 5432, name: 'postgres', user: 'postgres' };

/**
 * GET /platform/projects/{ref}/settings. The service key only for members who may
 * change data (read-only members get the anon key alone), the JWT secret only
 * for admins: Studio shows both, but they grant full access to the project.
 */
export const projectSettingsView = (
  config: Config,
  p: Project,
  secrets: ProjectSecrets,
  reveal: { serviceKey: boolean; jwtSecret: boolean },
) => {
  const host = projectDbHost(config, p.ref);
  const keys = [{ api_key: secrets.SUPABASE_ANON_KEY, name: 'anon key', tags: 'anon' }];
  if (reveal.serviceKey) {
    keys.push({
      api_key: secrets.SUPABASE_SERVICE_KEY,
      name: 'service_role key',
      tags: 'service_role',
    });
  }
  return {
    ...base(p),
    db_host: host,
    db_port: DB.port,
    db_name: DB.name,
    db_user: DB.user,
    db_dns_name: host,
    db_ip_addr_config: 'legacy',
    ssl_enforced: false,
    is_sensitive: false,
    app_config: { db_schema: 'public', endpoint: projectHost(config, p.ref) },
    service_api_keys: keys,
    ...(reveal.jwtSecret ? { jwt_secret: secrets.JWT_SECRET } : {}),
  };
};

/** GET /platform/projects/{ref}/databases: the primary only (no read replicas). */
export const databasesView = (config: Config, p: Project) => [
  {
    identifier: p.ref,
    cloud_provider: STUDIO_CLOUD_PROVIDER,
    region: p.serverUuid,
    status: databaseStatus(p.status),
    size: 'micro',
    inserted_at: iso(p.createdAt),
    db_host: projectDbHost(config, p.ref),
    db_port: DB.port,
    db_name: DB.name,
    db_user: DB.user,
    restUrl: `${projectPublicUrl(config, p.ref)}/rest/v1/`,
    connectionString: `enc:${p.ref}`,
    connection_string_read_only: null,
  },
];

/** GET /platform/projects/{ref}/config/pgbouncer: template v1 runs no pooler. */
export const pgbouncerView = (config: Config, p: Project) => {
  const host = projectDbHost(config, p.ref);
  return {
    connection_string: `postgresql://${DB.user}:[YOUR-PASSWORD]@${host}:${DB.port}/${DB.name}`,
    db_dns_name: host,
    db_host: host,
    db_name: DB.name,
    db_port: DB.port,
    db_user: DB.user,
    inserted_at: iso(p.createdAt),
    pgbouncer_enabled: false,
    pgbouncer_status: 'DISABLED' as const,
    pool_mode: 'transaction' as const,
    ssl_enforced: false,
  };
};

/** GET /platform/projects/{ref}/config/postgrest: the template's PGRST_* settings. */
export const postgrestConfigView = (secrets: ProjectSecrets, revealJwtSecret: boolean) => ({
  db_anon_role: 'anon',
  db_extra_search_path: 'public',
  db_schema: 'public,storage,graphql_public',
  max_rows: 1000,
  role_claim_key: '.role',
  db_pool: null,
  jwt_secret: revealJwtSecret ? secrets.JWT_SECRET : '',
});

/** GET /platform/projects/{ref}/config/storage: the template's storage-api settings. */
export const storageConfigView = () => ({
  fileSizeLimit: 52_428_800,
  features: {
    imageTransformation: { enabled: true },
    s3Protocol: { enabled: false },
  },
});

/** GET /platform/projects/{ref}/config/realtime: Realtime's defaults (null = not overridden). */
export const realtimeConfigView = () => ({
  connection_pool: null,
  max_bytes_per_second: null,
  max_channels_per_client: null,
  max_concurrent_users: null,
  max_events_per_second: null,
  max_joins_per_second: null,
  max_payload_size_in_kb: null,
  max_presence_events_per_second: null,
  private_only: false,
  suspend: false,
});

export const PROJECT_SORTS = ['name_asc', 'name_desc', 'created_asc', 'created_desc'] as const;
export type ProjectSort = (typeof PROJECT_SORTS)[number];

export interface ProjectPageQuery {
  /** One organization's projects, or every project of the user's organizations. */
  scope: { organizationId: number } | { userId: string };
  /** Absent: every match (the legacy unpaginated list). */
  limit?: number;
  offset: number;
  sort: ProjectSort;
  search?: string;
  statuses?: ProjectStatus[];
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

const ORDER: Record<ProjectSort, SQL[]> = {
  name_asc: [asc(sql`lower(${projects.name})`), asc(projects.id)],
  name_desc: [desc(sql`lower(${projects.name})`), desc(projects.id)],
  created_asc: [asc(projects.createdAt), asc(projects.id)],
  created_desc: [desc(projects.createdAt), desc(projects.id)],
};

/**
 * One page of projects with the total that matches, filtered, sorted and paged
 * by Postgres (an organization may hold thousands). Removed projects never show.
 */
export async function listProjectsPage(
  deps: Pick<Deps, 'db'>,
  q: ProjectPageQuery,
): Promise<{ count: number; items: { project: Project; organizationSlug: string }[] }> {
  const pattern = q.search ? `%${escapeLike(q.search)}%` : undefined;
  const where = and(
    'organizationId' in q.scope
      ? eq(projects.organizationId, q.scope.organizationId)
      : inArray(
          projects.organizationId,
          deps.db
            .select({ id: memberships.organizationId })
            .from(memberships)
            .where(eq(memberships.userId, q.scope.userId)),
        ),
    ne(projects.status, 'REMOVED'),
    q.statuses?.length ? inArray(projects.status, q.statuses) : undefined,
    pattern ? or(ilike(projects.name, pattern), ilike(projects.ref, pattern)) : undefined,
  );
  const counting = deps.db.select({ n: count() }).from(projects).where(where);
  const page = deps.db
    .select({ project: projects, organizationSlug: organizations.slug })
    .from(projects)
    .innerJoin(organizations, eq(organizations.id, projects.organizationId))
    .where(where)
    .orderBy(...ORDER[q.sort])
    .offset(q.offset)
    .$dynamic();
  // Independent queries: run them side by side rather than one after the other.
  const [[total], items] = await Promise.all([
    counting,
    q.limit === undefined ? page : page.limit(q.limit),
  ]);
  return { count: total?.n ?? 0, items };
}

/** The project's secrets for the views that show keys; every project gets them at create. */
export async function projectSecretsOf(
  deps: Pick<Deps, 'db' | 'keyring'>,
  project: Pick<Project, 'id' | 'ref'>,
): Promise<ProjectSecrets> {
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (!secrets) throw precondition(`Project ${project.ref} has no keys`);
  return secrets;
}
