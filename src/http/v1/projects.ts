import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { HEALTH_SERVICES, parseHealthServices, projectHealth } from './project-health.js';
import {
  availableRegions,
  createV1Project,
  getV1Project,
  listV1Projects,
  operateV1Project,
  renameV1Project,
} from './project-views.js';
import { requireOrganization, requireProject } from '../../members/access.js';
import type { Router } from '../env.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
  ProjectStatus,
  text,
} from '../schemas.js';

const tags = ['Projects'];

const Project = z
  .object({
    id: z.string().openapi({ deprecated: true, description: 'Deprecated: use `ref`' }),
    ref: z.string(),
    organization_id: z.string().openapi({ deprecated: true, description: 'The organization slug' }),
    organization_slug: z.string(),
    name: z.string(),
    region: z.string(),
    created_at: z.string(),
    status: ProjectStatus,
  })
  .openapi('V1ProjectResponse');

const ProjectWithDatabase = Project.extend({
  template_version: z.string().openapi({ description: "Supaplane's compose template version" }),
  database: z.object({
    host: z.string(),
    version: z.string(),
    postgres_engine: z.string(),
    release_channel: z.string(),
  }),
}).openapi('V1ProjectWithDatabaseResponse');

const ProjectRef = z
  .object({ id: z.number().int(), ref: z.string(), name: z.string() })
  .openapi('V1ProjectRefResponse');

const RegionSelection = z.discriminatedUnion('type', [
  z.object({ type: z.literal('specific'), code: z.string().min(1).max(64) }),
  z.object({ type: z.literal('smartGroup'), code: z.enum(['americas', 'emea', 'apac']) }),
]);

const CreateProjectBody = z
  .object({
    name: text().min(1).max(256),
    organization_slug: z
      .string()
      .max(256)
      .regex(/^[\w-]+$/)
      .optional(),
    organization_id: z
      .string()
      .max(256)
      .regex(/^[\w-]+$/)
      .optional()
      .openapi({ deprecated: true, description: 'Deprecated: use `organization_slug`' }),
    // Goes into postgres:// URIs unescaped (src/projects/projects.ts checkDbPassword).
    db_pass: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{8,128}$/, '8–128 characters of letters, digits and . _ ~ -'),
    region: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ deprecated: true, description: 'A region code (or server uuid)' }),
    region_selection: RegionSelection.optional(),
    plan: z.enum(['free', 'pro']).optional().openapi({ deprecated: true }),
    kps_enabled: z.boolean().optional().openapi({ deprecated: true }),
    desired_instance_size: z.string().max(64).optional(),
    template_url: z.string().max(2048).optional(),
    release_channel: z.string().max(32).optional().openapi({ deprecated: true }),
    postgres_engine: z.string().max(32).optional().openapi({ deprecated: true }),
  })
  .strict()
  .openapi('V1CreateProjectBody');

const SpecificRegion = z.object({
  name: z.string(),
  code: z.string(),
  type: z.literal('specific'),
  provider: z.literal('AWS'),
});
const SmartGroup = z.object({ name: z.string(), code: z.string(), type: z.literal('smartGroup') });
const RegionsInfo = z
  .object({
    recommendations: z.object({ smartGroup: SmartGroup, specific: z.array(SpecificRegion) }),
    all: z.object({ smartGroup: z.array(SmartGroup), specific: z.array(SpecificRegion) }),
  })
  .openapi('V1RegionsInfo');

const ServiceHealth = z
  .object({
    name: z.enum(HEALTH_SERVICES),
    healthy: z.boolean(),
    status: z.enum(['COMING_UP', 'ACTIVE_HEALTHY', 'UNHEALTHY']),
    info: z
      .object({ name: z.literal('GoTrue'), version: z.string(), description: z.string() })
      .optional(),
    error: z.string().optional(),
  })
  .openapi('V1ServiceHealthResponse');

const route = createRoute;

const regions = route({
  method: 'get',
  path: '/projects/available-regions',
  tags,
  summary: 'Regions: one per Coolify server new projects may be placed on',
  security: bearer,
  request: {
    query: z.object({
      organization_slug: z.string().regex(/^[\w-]+$/),
      continent: z.string().max(8).optional(),
      desired_instance_size: z.string().max(64).optional(),
    }),
  },
  responses: { 200: jsonResponse(RegionsInfo), ...errorResponses },
});

const list = route({
  method: 'get',
  path: '/projects',
  tags,
  summary: 'List all projects of your organizations',
  security: bearer,
  responses: { 200: jsonResponse(z.array(ProjectWithDatabase)), ...errorResponses },
});

const create = route({
  method: 'post',
  path: '/projects',
  tags,
  summary: 'Create a project (honours Idempotency-Key)',
  security: bearer,
  request: {
    body: jsonBody(CreateProjectBody),
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
  },
  responses: { 201: jsonResponse(Project), ...lifecycleErrors },
});

const get = route({
  method: 'get',
  path: '/projects/{ref}',
  tags,
  summary: 'Get a project',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(ProjectWithDatabase), ...errorResponses },
});

const update = route({
  method: 'patch',
  path: '/projects/{ref}',
  tags,
  summary: 'Rename a project',
  security: bearer,
  request: {
    params: ProjectRefParam,
    body: jsonBody(z.object({ name: text().min(1).max(256) }).openapi('V1UpdateProjectBody')),
  },
  responses: { 200: jsonResponse(ProjectRef), ...errorResponses },
});

const remove = route({
  method: 'delete',
  path: '/projects/{ref}',
  tags,
  summary: 'Delete a project and its data',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(ProjectRef), ...lifecycleErrors },
});

const pause = route({
  method: 'post',
  path: '/projects/{ref}/pause',
  tags,
  summary: 'Pause a project (stops its containers)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: { description: 'Pausing' }, ...lifecycleErrors },
});

const restoreVersions = route({
  method: 'get',
  path: '/projects/{ref}/restore',
  tags,
  summary: 'Versions a paused project may be restored to (always its own)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: {
    200: jsonResponse(
      z.object({
        available_versions: z.array(
          z.object({
            version: z.string(),
            release_channel: z.string(),
            postgres_engine: z.string(),
          }),
        ),
      }),
    ),
    ...errorResponses,
  },
});

const restore = route({
  method: 'post',
  path: '/projects/{ref}/restore',
  tags,
  summary: 'Restore (start) a paused project',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: { description: 'Restoring' }, ...lifecycleErrors },
});

const health = route({
  method: 'get',
  path: '/projects/{ref}/health',
  tags,
  summary: "Probe the project's services through its gateway",
  security: bearer,
  request: {
    params: ProjectRefParam,
    query: z.object({
      services: z
        .union([z.string(), z.array(z.string())])
        .openapi({ type: 'array', items: { type: 'string', enum: [...HEALTH_SERVICES] } }),
      timeout_ms: z.coerce.number().int().min(0).max(10_000).optional(),
    }),
  },
  responses: { 200: jsonResponse(z.array(ServiceHealth)), ...errorResponses },
});

export function v1ProjectRoutes(deps: Deps, router: Router): void {
  // Before /projects/{ref}: "available-regions" would otherwise be taken for a ref.
  router.openapi(regions, async (c) => {
    await requireOrganization(deps, c.get('principal'), c.req.valid('query').organization_slug);
    return c.json(availableRegions(deps.config), 200);
  });
  router.openapi(list, async (c) =>
    c.json(await listV1Projects(deps, { actor: c.get('principal') }), 200),
  );
  router.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const project = await createV1Project(deps, {
      actor: c.get('principal'),
      input: {
        name: body.name,
        organizationSlug: body.organization_slug,
        organizationId: body.organization_id,
        dbPass: body.db_pass,
        region: body.region,
        regionSelection: body.region_selection,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
        desiredInstanceSize: body.desired_instance_size,
        templateUrl: body.template_url,
        postgresEngine: body.postgres_engine,
        releaseChannel: body.release_channel,
      },
    });
    return c.json(project, 201);
  });
  router.openapi(get, async (c) =>
    c.json(
      await getV1Project(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(update, async (c) =>
    c.json(
      await renameV1Project(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref, name: c.req.valid('json').name },
      }),
      200,
    ),
  );
  router.openapi(remove, async (c) =>
    c.json(
      await operateV1Project(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref, operation: 'delete' },
      }),
      200,
    ),
  );
  router.openapi(pause, async (c) => {
    await operateV1Project(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, operation: 'pause' },
    });
    return c.body(null, 200);
  });
  router.openapi(restoreVersions, async (c) => {
    await requireProject(deps, c.get('principal'), c.req.valid('param').ref, 'read');
    return c.json({ available_versions: [] }, 200);
  });
  router.openapi(restore, async (c) => {
    await operateV1Project(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, operation: 'restore' },
    });
    return c.body(null, 200);
  });
  router.openapi(health, async (c) => {
    const query = c.req.valid('query');
    const services = parseHealthServices(c.req.queries('services') ?? [String(query.services)]);
    return c.json(
      await projectHealth(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref, services, timeoutMs: query.timeout_ms },
      }),
      200,
    );
  });
}
