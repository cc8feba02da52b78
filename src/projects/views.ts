import { sql, type SQL } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import { escapeLike } from '../db/like.js';
import type { Organization, Project, ProjectStatus } from '../db/schema/index.js';
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
  projectPublicUrl(config, ref).slice('https://'.length);

// Supabase's convention for the direct connection host. Template v2 serves it
// (Coolify's Traefik routes TLS by SNI to the project's Postgres, ADR 0003); v1
// publishes no Postgres port, and shows it only so Studio's strings are well formed.
export const projectDbHost = (config: Config, ref: string) => `db.${projectHost(config, ref)}`;

/** Whether the project's database is reached over TLS (template v2 and later). */
export const dbTlsServed = (p: Pick<Project, 'templateVersion'>) => p.templateVersion !== 'v1';

/** Versions pinned by each compose template (coolify-templates/supabase/<version>). */
const SERVICE_VERSIONS: Record<string, Record<string, string>> = {
  v1: { gotrue: 'v2.186.0', postgrest: 'v14.5', 'supabase-postgres': '15.8.1.085' },
  v2: { gotrue: 'v2.196.0', postgrest: 'v14.17', 'supabase-postgres': '17.6.1.136' },
};
export const serviceVersions = (
  p: Pick<Project, 'templateVersion'> & { postgresImage?: string | null },
): Record<string, string> => {
  const pinned = SERVICE_VERSIONS[p.templateVersion] ?? {};
  // An upgraded project keeps the database image its data was made by (ADR 0006).
  const tag = p.postgresImage?.split(':')[1];
  return tag ? { ...pinned, 'supabase-postgres': tag } : pinned;
};

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

// Views extend `base` with Object.assign, not `{ ...base(p) }`: on Node 20 a spread
// into a literal with further fields costs ~4 µs per object (measured), 96 times
// per project list page.
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
export const projectInfoView = (p: Project, organizationSlug: string) =>
  Object.assign(base(p), {
    organization_slug: organizationSlug,
    is_branch_enabled: false,
    is_physical_backups_enabled: false,
    preview_branch_refs: [] as string[],
    subscription_id: subscriptionId(p.organizationId),
  });

/** Item of the paginated lists (org projects, and all projects with `Version: 2`). */
export const projectListItemView = (p: Project, organizationSlug: string) =>
  Object.assign(base(p), {
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

const buildProjectDetailView = (config: Config, p: Project) => {
  const version = serviceVersions(p)['supabase-postgres'];
  return Object.assign(
    base(p),
    {
      db_host: projectDbHost(config, p.ref),
      restUrl: `${projectPublicUrl(config, p.ref)}/rest/v1/`,
      // Studio echoes this back as x-connection-encrypted and blocks DB pages while it
      // is empty. Our proxies resolve the database from {ref}, so it carries no secret.
      connectionString: `enc:${p.ref}`,
      subscription_id: subscriptionId(p.organizationId),
      is_branch_enabled: false,
      is_physical_backups_enabled: false,
      /** Supaplane's compose template version (coolify-templates/supabase/<version>). */
      template_version: p.templateVersion,
      // Why the last lifecycle step or the setup SQL (db_sql) failed, if it did.
      last_error: p.lastError,
    },
    version ? { dbVersion: `supabase-postgres-${version}` } : {},
  );
};

const detailViews = new WeakMap<
  Config,
  WeakMap<Project, ReturnType<typeof buildProjectDetailView>>
>();

/**
 * GET /platform/projects/{ref} (ProjectDetailResponse), which every open project
 * page polls. Built once per row: rows the read cache shares between requests are
 * immutable, so their view (and, through sharedJson, its JSON) is reused until a
 * write replaces the row.
 */
export const projectDetailView = (config: Config, p: Project) => {
  let built = detailViews.get(config);
  if (!built) detailViews.set(config, (built = new WeakMap()));
  let view = built.get(p);
  if (!view) built.set(p, (view = buildProjectDetailView(config, p)));
  return view;
};

export const projectStatusView = (p: Project) => ({ status: p.status });

/** POST /platform/projects (CreateProjectResponse): the creator gets both legacy keys. */
export const createdProjectView = (
  config: Config,
  p: Project,
  org: Pick<Organization, 'slug'>,
  secrets: Pick<ProjectSecrets, 'SUPABASE_ANON_KEY' | 'SUPABASE_SERVICE_KEY'>,
) =>
  Object.assign(projectInfoView(p, org.slug), {
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
  return Object.assign(
    base(p),
    {
      db_host: host,
      db_port: DB.port,
      db_name: DB.name,
      db_user: DB.user,
      db_dns_name: host,
      db_ip_addr_config: 'legacy',
      ssl_enforced: dbTlsServed(p),
      is_sensitive: false,
      app_config: { db_schema: 'public', endpoint: projectHost(config, p.ref) },
      service_api_keys: keys,
    },
    reveal.jwtSecret ? { jwt_secret: secrets.JWT_SECRET } : {},
  );
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

const ORDER: Record<ProjectSort, SQL> = {
  name_asc: sql`lower(p.name) asc, p.id asc`,
  name_desc: sql`lower(p.name) desc, p.id desc`,
  created_asc: sql`p.created_at asc, p.id asc`,
  created_desc: sql`p.created_at desc, p.id desc`,
};

interface PageRow {
  id: number;
  ref: string;
  name: string;
  organization_id: number;
  status: ProjectStatus;
  server_uuid: string;
  coolify_project_uuid: string | null;
  coolify_service_uuid: string | null;
  template_version: string;
  postgres_image: string | null;
  last_error: string | null;
  warning: string | null;
  coolify_action: Project['coolifyAction'];
  coolify_action_at: Date | string | null;
  coolify_action_seen_at: Date | string | null;
  secrets_retained_until: Date | string | null;
  missing_ticks: number;
  status_changed_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
  organization_slug: string;
}

const toDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const toDateOrNull = (v: Date | string | null) => (v === null ? null : toDate(v));

/**
 * One page of projects with the total that matches, filtered, sorted and paged
 * by Postgres (an organization may hold thousands). Removed projects never show.
 * This is Studio's hottest read, so it is hand-written and mapped by hand
 * (drizzle's per-row mapping cost more than the query), and the total is a
 * separate count run alongside: a window count would make Postgres sort the
 * whole organization instead of reading one page off the name index.
 */
export async function listProjectsPage(
  deps: Pick<Deps, 'db'>,
  q: ProjectPageQuery,
): Promise<{ count: number; items: { project: Project; organizationSlug: string }[] }> {
  const filters: SQL[] = [
    'organizationId' in q.scope
      ? sql`p.organization_id = ${q.scope.organizationId}`
      : sql`p.organization_id in (select organization_id from memberships where user_id = ${q.scope.userId})`,
    sql`p.status <> 'REMOVED'`,
  ];
  if (q.statuses?.length) {
    filters.push(
      sql`p.status in (${sql.join(
        q.statuses.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  }
  if (q.search) {
    const pattern = `%${escapeLike(q.search)}%`;
    filters.push(sql`(p.name ilike ${pattern} or p.ref ilike ${pattern})`);
  }
  const where = sql.join(filters, sql` and `);
  const pageQuery = deps.db.execute(sql`
    select p.id::int as id, p.ref, p.name, p.organization_id::int as organization_id, p.status,
           p.server_uuid, p.coolify_project_uuid, p.coolify_service_uuid, p.template_version, p.postgres_image,
           p.last_error, p.warning, p.coolify_action, p.coolify_action_at,
           p.coolify_action_seen_at, p.secrets_retained_until, p.missing_ticks,
           p.status_changed_at, p.created_at, p.updated_at,
           o.slug as organization_slug
    from projects p join organizations o on o.id = p.organization_id
    where ${where}
    order by ${ORDER[q.sort]}
    ${q.limit === undefined ? sql`` : sql`limit ${q.limit}`} offset ${q.offset}`);
  const [page, total] = await Promise.all([pageQuery, countProjects(deps, where)]);
  const rows = page as unknown as PageRow[];
  return {
    count: total,
    items: rows.map((r) => ({
      organizationSlug: r.organization_slug,
      project: {
        id: r.id,
        ref: r.ref,
        name: r.name,
        organizationId: r.organization_id,
        status: r.status,
        serverUuid: r.server_uuid,
        coolifyProjectUuid: r.coolify_project_uuid,
        coolifyServiceUuid: r.coolify_service_uuid,
        templateVersion: r.template_version,
        postgresImage: r.postgres_image,
        lastError: r.last_error,
        warning: r.warning,
        coolifyAction: r.coolify_action,
        coolifyActionAt: toDateOrNull(r.coolify_action_at),
        coolifyActionSeenAt: toDateOrNull(r.coolify_action_seen_at),
        secretsRetainedUntil: toDateOrNull(r.secrets_retained_until),
        missingTicks: r.missing_ticks,
        statusChangedAt: toDate(r.status_changed_at),
        createdAt: toDate(r.created_at),
        updatedAt: toDate(r.updated_at),
      },
    })),
  };
}

async function countProjects(deps: Pick<Deps, 'db'>, where: SQL): Promise<number> {
  const [row] = (await deps.db.execute(
    sql`select count(*)::int as n from projects p where ${where}`,
  )) as unknown as { n: number }[];
  return row?.n ?? 0;
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
