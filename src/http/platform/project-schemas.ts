import { z } from '@hono/zod-openapi';
import { PROJECT_SORTS } from '../../projects/views.js';
import { PROJECT_STATUS_VALUES, ProjectStatus } from '../schemas.js';

/**
 * Studio's project shapes (shared/reference/studio/schemas), as the OpenAPI
 * document describes them. The values come from projects/views.ts.
 */

const Timestamp = z.string().openapi({ format: 'date-time' });

const ProjectBase = {
  id: z.number().int(),
  ref: z.string(),
  name: z.string(),
  organization_id: z.number().int(),
  cloud_provider: z.string(),
  region: z.string().openapi({ description: 'The Coolify server (uuid) the project runs on' }),
  status: ProjectStatus,
  inserted_at: Timestamp,
};

export const ProjectInfo = z
  .object({
    ...ProjectBase,
    organization_slug: z.string(),
    is_branch_enabled: z.boolean(),
    is_physical_backups_enabled: z.boolean(),
    preview_branch_refs: z.array(z.string()),
    subscription_id: z.string(),
  })
  .openapi('ProjectInfo');

const DatabaseSummary = z.object({
  identifier: z.string(),
  type: z.enum(['PRIMARY', 'READ_REPLICA']),
  status: z.string(),
  region: z.string(),
  cloud_provider: z.string(),
});

const ProjectListItem = z
  .object({
    ...ProjectBase,
    organization_slug: z.string(),
    is_branch: z.boolean(),
    databases: z.array(DatabaseSummary),
  })
  .openapi('ProjectListItem');

export const ProjectPage = z
  .object({
    pagination: z.object({
      count: z.number().int(),
      limit: z.number().int(),
      offset: z.number().int(),
    }),
    projects: z.array(ProjectListItem),
  })
  .openapi('OrganizationProjectsResponse');

export const ProjectDetail = z
  .object({
    ...ProjectBase,
    db_host: z.string(),
    restUrl: z.string(),
    connectionString: z.string().openapi({
      description: 'Opaque token Studio echoes as x-connection-encrypted; carries no secret',
    }),
    subscription_id: z.string(),
    is_branch_enabled: z.boolean(),
    is_physical_backups_enabled: z.boolean(),
    dbVersion: z.string().optional(),
    template_version: z.string().openapi({
      description: "Supaplane's compose template version of the project's stack",
    }),
  })
  .openapi('ProjectDetailResponse');

export const ProjectStatusBody = z.object({ status: ProjectStatus }).openapi('ProjectStatus');

export const CreatedProject = ProjectInfo.extend({
  endpoint: z.string(),
  anon_key: z.string(),
  service_key: z.string(),
}).openapi('CreateProjectResponse');

export const ProjectSettings = z
  .object({
    ...ProjectBase,
    db_host: z.string(),
    db_port: z.number().int(),
    db_name: z.string(),
    db_user: z.string(),
    db_dns_name: z.string(),
    db_ip_addr_config: z.string(),
    ssl_enforced: z.boolean(),
    is_sensitive: z.boolean(),
    app_config: z.object({ db_schema: z.string(), endpoint: z.string() }),
    service_api_keys: z.array(
      z.object({ api_key: z.string(), name: z.string(), tags: z.string() }),
    ),
    jwt_secret: z.string().optional().openapi({ description: 'Only for administrators' }),
  })
  .openapi('ProjectSettingsResponse');

export const Databases = z
  .array(
    z.object({
      identifier: z.string(),
      cloud_provider: z.string(),
      region: z.string(),
      status: z.string(),
      size: z.string(),
      inserted_at: Timestamp,
      db_host: z.string(),
      db_port: z.number().int(),
      db_name: z.string(),
      db_user: z.string(),
      restUrl: z.string(),
      connectionString: z.string(),
      connection_string_read_only: z.null(),
    }),
  )
  .openapi('DatabasesResponse');

export const ProjectRef = z
  .object({ id: z.number().int(), name: z.string(), ref: z.string() })
  .openapi('ProjectRefResponse');

export const Unpaused = z
  .object({
    id: z.number().int(),
    organization_id: z.number().int(),
    cloud_provider: z.string(),
    region: z.string(),
    status: ProjectStatus,
    back_ups: z.array(z.object({ id: z.number().int() })),
  })
  .openapi('UnpauseProjectResponse');

export const AvailableVersions = z
  .object({
    available_versions: z.array(
      z.object({
        version: z.string(),
        postgres_engine: z.enum(['15', '17', '17-oriole']),
        release_channel: z.enum(['internal', 'alpha', 'beta', 'ga', 'withdrawn', 'preview']),
      }),
    ),
  })
  .openapi('AvailableVersionsResponse');

const SpecificRegion = z.object({
  code: z.string(),
  name: z.string(),
  provider: z.string(),
  type: z.literal('specific'),
});
const SmartGroup = z.object({ code: z.string(), name: z.string(), type: z.literal('smartGroup') });
export const RegionsInfo = z
  .object({
    all: z.object({ smartGroup: z.array(SmartGroup), specific: z.array(SpecificRegion) }),
    recommendations: z.object({ smartGroup: SmartGroup, specific: z.array(SpecificRegion) }),
  })
  .openapi('RegionsInfo');

/**
 * Free text from a request. Postgres text and jsonb cannot hold NUL characters,
 * so they are refused here (400) rather than failing the query (500).
 */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => !v.includes('\0'), 'must not contain NUL characters');

/** A JSON object whose keys the handler does not care to describe (harmless stubs, configs). */
export const AnyObject = z.record(z.string(), z.unknown());

/** `?limit&offset&sort&search&statuses` of the paginated project lists. */
export const ProjectPageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  sort: z.enum(PROJECT_SORTS).default('name_asc'),
  search: text(256).optional(),
  statuses: z
    .string()
    .max(1024)
    .optional()
    .transform((v, ctx) => {
      const list = (v ?? '').split(',').filter(Boolean);
      const bad = list.find((s) => !(PROJECT_STATUS_VALUES as readonly string[]).includes(s));
      if (bad !== undefined) {
        ctx.addIssue({ code: 'custom', message: `unknown project status "${bad}"` });
        return z.NEVER;
      }
      return list as (typeof PROJECT_STATUS_VALUES)[number][];
    })
    .openapi({ type: 'string', description: 'Comma-separated project statuses' }),
});
