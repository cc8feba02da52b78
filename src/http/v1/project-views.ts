import type { Principal } from '../../auth/principal.js';
import type { Config } from '../../config/config.js';
import type { Deps } from '../../context.js';
import type { Project, ProjectStatus } from '../../db/schema/index.js';
import { invalid } from '../../errors.js';
import { requireOrganization, requireProject } from '../../members/access.js';
import { renameProject } from '../../projects/rename.js';
import {
  databaseStatus,
  listProjectsPage,
  projectDbHost,
  serviceVersions,
  type ProjectSort,
} from '../../projects/views.js';
import {
  createProject,
  deleteProject,
  pauseProject,
  restoreProject,
} from '../../projects/projects.js';

/**
 * The Management API (v1) view of projects and regions. Supabase identifies
 * organizations by slug here (the deprecated `organization_id` is the slug too).
 */

/**
 * The region codes of the Management API, one per configured Coolify server in
 * COOLIFY_SERVER_UUIDS order: clients only accept these codes, so they name
 * servers, not geography. A server uuid is accepted wherever a code is.
 */
export const REGION_CODES = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-southeast-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-east-1',
  'ap-southeast-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'eu-central-1',
  'eu-central-2',
  'ca-central-1',
  'ap-south-1',
  'sa-east-1',
] as const;

type ServersConfig = Pick<Config, 'COOLIFY_SERVER_UUIDS'>;

/** The region code clients see for a server (its uuid past the 18th server). */
export function regionOfServer(config: ServersConfig, serverUuid: string): string {
  const i = config.COOLIFY_SERVER_UUIDS.indexOf(serverUuid);
  return (i >= 0 ? REGION_CODES[i] : undefined) ?? serverUuid;
}

export type V1RegionSelection = { type: 'specific' | 'smartGroup'; code: string };

/**
 * The server a new project goes to: a specific region (code or server uuid), or
 * undefined (smart group or nothing: the least-loaded server).
 */
export function serverForRegion(
  config: ServersConfig,
  input: { region?: string; regionSelection?: V1RegionSelection },
): string | undefined {
  if (input.region !== undefined && input.regionSelection !== undefined) {
    throw invalid('Only one of region or region_selection can be specified');
  }
  const selection =
    input.regionSelection ??
    (input.region !== undefined ? { type: 'specific' as const, code: input.region } : undefined);
  if (!selection || selection.type === 'smartGroup') return undefined;
  const servers = config.COOLIFY_SERVER_UUIDS;
  const byCode = (REGION_CODES as readonly string[]).indexOf(selection.code);
  const server = byCode >= 0 ? servers[byCode] : servers.find((s) => s === selection.code);
  if (!server) {
    const allowed = servers.map((s) => regionOfServer(config, s));
    throw invalid(
      `Unknown region "${selection.code}". This Supaplane has ${servers.length} server(s): ${allowed.join(', ') || 'none'}`,
      { allowed },
    );
  }
  return server;
}

/** GET /v1/projects/available-regions (RegionsInfo). */
export function availableRegions(config: ServersConfig) {
  const specific = config.COOLIFY_SERVER_UUIDS.slice(0, REGION_CODES.length).map((uuid, i) => ({
    name: `Server ${i + 1} (${uuid})`,
    code: REGION_CODES[i]!,
    type: 'specific' as const,
    provider: 'AWS' as const,
  }));
  const smartGroup = {
    name: 'Any server (least loaded)',
    code: 'americas' as const,
    type: 'smartGroup' as const,
  };
  return {
    recommendations: { smartGroup, specific: specific.slice(0, 1) },
    all: { smartGroup: [smartGroup], specific },
  };
}

export interface V1Project {
  id: string;
  ref: string;
  organization_id: string;
  organization_slug: string;
  name: string;
  region: string;
  created_at: string;
  status: ProjectStatus;
}

export const v1ProjectView = (config: Config, p: Project, organizationSlug: string): V1Project => ({
  id: p.ref,
  ref: p.ref,
  organization_id: organizationSlug,
  organization_slug: organizationSlug,
  name: p.name,
  region: regionOfServer(config, p.serverUuid),
  created_at: p.createdAt.toISOString(),
  status: p.status,
});

export const v1ProjectWithDatabaseView = (config: Config, p: Project, organizationSlug: string) => {
  const version = serviceVersions(p)['supabase-postgres'] ?? '';
  return {
    ...v1ProjectView(config, p, organizationSlug),
    /** Supaplane's compose template version (an addition to Supabase's schema). */
    template_version: p.templateVersion,
    database: {
      host: projectDbHost(config, p.ref),
      version,
      postgres_engine: version.split('.')[0] ?? '',
      release_channel: 'ga',
    },
  };
};

/** Every project of every organization the caller belongs to, oldest first. */
export async function listV1Projects(
  deps: Pick<Deps, 'db' | 'config'>,
  { actor }: { actor: Principal },
) {
  const page = await listProjectsPage(deps, {
    scope: { userId: actor.userId },
    offset: 0,
    sort: 'created_asc',
  });
  return page.items.map((i) =>
    v1ProjectWithDatabaseView(deps.config, i.project, i.organizationSlug),
  );
}

export async function getV1Project(
  deps: Pick<Deps, 'db' | 'config'>,
  { actor, input }: { actor: Principal; input: { ref: string } },
) {
  const { project, organization } = await requireProject(deps, actor, input.ref, 'read');
  return v1ProjectWithDatabaseView(deps.config, project, organization.slug);
}

export interface CreateV1ProjectInput {
  name: string;
  organizationSlug?: string;
  /** Deprecated in the API; it holds the slug as well. */
  organizationId?: string;
  dbPass: string;
  region?: string;
  regionSelection?: V1RegionSelection;
  idempotencyKey?: string;
  /** Options Supaplane cannot honour are refused rather than ignored. */
  desiredInstanceSize?: string;
  templateUrl?: string;
  postgresEngine?: string;
  releaseChannel?: string;
}

/** What template v1 runs; asking for anything else is an error, not a silent downgrade. */
export function checkUnsupported(
  input: Pick<
    CreateV1ProjectInput,
    'desiredInstanceSize' | 'templateUrl' | 'postgresEngine' | 'releaseChannel'
  >,
): void {
  if (input.desiredInstanceSize !== undefined) {
    throw invalid('desired_instance_size is not supported: Supaplane does not size instances');
  }
  if (input.templateUrl !== undefined) throw invalid('template_url is not supported');
  if (input.postgresEngine !== undefined && input.postgresEngine !== '15') {
    throw invalid('postgres_engine must be "15" (the version Supaplane projects run)');
  }
  if (input.releaseChannel !== undefined && input.releaseChannel !== 'ga') {
    throw invalid('release_channel must be "ga"');
  }
}

/** Creating a project needs the administrator role (as in Studio). */
export async function createV1Project(
  deps: Deps,
  { actor, input }: { actor: Principal; input: CreateV1ProjectInput },
): Promise<V1Project> {
  checkUnsupported(input);
  const slug = input.organizationSlug ?? input.organizationId;
  if (!slug) throw invalid('organization_slug is required');
  const { organization } = await requireOrganization(deps, actor, slug, 'admin');
  const serverUuid = serverForRegion(deps.config, input);
  const project = await createProject(deps, {
    actor: { id: actor.userId },
    input: {
      organizationId: organization.id,
      name: input.name,
      serverUuid,
      dbPassword: input.dbPass,
      // Scoped to the caller: another member's key never returns this one's project.
      idempotencyKey: input.idempotencyKey
        ? `${actor.userId}:${input.idempotencyKey.slice(0, 200)}`
        : undefined,
    },
  });
  return v1ProjectView(deps.config, project, organization.slug);
}

const refResponse = (p: Project) => ({ id: p.id, ref: p.ref, name: p.name });

export async function renameV1Project(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { ref: string; name: string } },
) {
  await requireProject(deps, actor, input.ref, 'admin');
  return refResponse(await renameProject(deps, { actor: { id: actor.userId }, input }));
}

type Operation = 'pause' | 'restore' | 'delete';
const OPERATIONS = { pause: pauseProject, restore: restoreProject, delete: deleteProject };

/** Pause, restore or delete: administrators and owners, as in Studio. */
export async function operateV1Project(
  deps: Deps,
  { actor, input }: { actor: Principal; input: { ref: string; operation: Operation } },
) {
  await requireProject(deps, actor, input.ref, 'admin');
  const project = await OPERATIONS[input.operation](deps, {
    actor: { id: actor.userId },
    input: { ref: input.ref },
  });
  return refResponse(project);
}

export interface OrganizationProjectsQuery {
  slug: string;
  offset: number;
  limit: number;
  search?: string;
  sort: ProjectSort;
  statuses?: ProjectStatus[];
}

/** GET /v1/organizations/{slug}/projects (OrganizationProjectsResponse). */
export async function listOrganizationProjects(
  deps: Pick<Deps, 'db' | 'config'>,
  { actor, input }: { actor: Principal; input: OrganizationProjectsQuery },
) {
  const { organization } = await requireOrganization(deps, actor, input.slug, 'read');
  const page = await listProjectsPage(deps, {
    scope: { organizationId: organization.id },
    offset: input.offset,
    limit: input.limit,
    sort: input.sort,
    search: input.search || undefined,
    statuses: input.statuses,
  });
  return {
    projects: page.items.map(({ project: p }) => {
      const region = regionOfServer(deps.config, p.serverUuid);
      return {
        ref: p.ref,
        name: p.name,
        cloud_provider: 'AWS',
        region,
        is_branch: false,
        status: p.status,
        inserted_at: p.createdAt.toISOString(),
        databases: [
          {
            identifier: p.ref,
            type: 'PRIMARY' as const,
            status: databaseStatus(p.status),
            region,
            cloud_provider: 'AWS',
          },
        ],
      };
    }),
    pagination: { count: page.count, limit: input.limit, offset: input.offset },
  };
}
