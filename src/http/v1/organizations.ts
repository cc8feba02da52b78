import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { PROJECT_SORTS } from '../../projects/views.js';
import {
  createV1Organization,
  getV1Organization,
  listV1OrganizationMembers,
  listV1Organizations,
} from './organization-views.js';
import { listOrganizationProjects } from './project-views.js';
import type { Router } from '../env.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  OrganizationSlugParam,
  PROJECT_STATUS_VALUES,
  ProjectStatus,
  text,
} from '../schemas.js';

const tags = ['Organizations'];

const Organization = z
  .object({
    id: z.string().openapi({ deprecated: true, description: 'Deprecated: use `slug`' }),
    slug: z.string(),
    name: z.string(),
  })
  .openapi('V1Organization');

const OrganizationDetail = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.enum(['free', 'pro', 'team', 'enterprise', 'platform']),
    opt_in_tags: z.array(z.string()),
    allowed_release_channels: z.array(z.enum(['ga'])),
  })
  .openapi('V1OrganizationSlugResponse');

const Member = z
  .object({
    user_id: z.string(),
    user_name: z.string(),
    email: z.string(),
    role_name: z.string(),
    mfa_enabled: z.boolean(),
  })
  .openapi('V1OrganizationMember');

const OrganizationProjects = z
  .object({
    projects: z.array(
      z.object({
        ref: z.string(),
        name: z.string(),
        cloud_provider: z.string(),
        region: z.string(),
        is_branch: z.boolean(),
        status: ProjectStatus,
        inserted_at: z.string(),
        databases: z.array(
          z.object({
            identifier: z.string(),
            type: z.enum(['PRIMARY', 'READ_REPLICA']),
            status: z.string(),
            region: z.string(),
            cloud_provider: z.string(),
          }),
        ),
      }),
    ),
    pagination: z.object({ count: z.number(), limit: z.number(), offset: z.number() }),
  })
  .openapi('V1OrganizationProjectsResponse');

const ProjectsQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(100),
  search: text().max(256).optional(),
  sort: z.enum(PROJECT_SORTS).default('name_asc'),
  statuses: z
    .string()
    .max(1024)
    .optional()
    .openapi({ description: 'Comma-separated statuses, e.g. ACTIVE_HEALTHY,INACTIVE' })
    .pipe(
      z
        .string()
        .optional()
        .transform((v) =>
          v
            ? v
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined,
        )
        .pipe(z.array(z.enum(PROJECT_STATUS_VALUES)).optional()),
    ),
});

const list = createRoute({
  method: 'get',
  path: '/organizations',
  tags,
  summary: 'List your organizations',
  security: bearer,
  responses: { 200: jsonResponse(z.array(Organization)), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/organizations',
  tags,
  summary: 'Create an organization (you become its owner)',
  security: bearer,
  request: { body: jsonBody(z.object({ name: text().min(1).max(256) }).strict()) },
  responses: { 201: jsonResponse(Organization), ...errorResponses, 409: errorResponses[400] },
});

const get = createRoute({
  method: 'get',
  path: '/organizations/{slug}',
  tags,
  summary: 'Get an organization',
  security: bearer,
  request: { params: OrganizationSlugParam },
  responses: { 200: jsonResponse(OrganizationDetail), ...errorResponses },
});

const members = createRoute({
  method: 'get',
  path: '/organizations/{slug}/members',
  tags,
  summary: 'List the members of an organization',
  security: bearer,
  request: { params: OrganizationSlugParam },
  responses: { 200: jsonResponse(z.array(Member)), ...errorResponses },
});

const projects = createRoute({
  method: 'get',
  path: '/organizations/{slug}/projects',
  tags,
  summary: 'List the projects of an organization (paginated)',
  security: bearer,
  request: { params: OrganizationSlugParam, query: ProjectsQuery },
  responses: { 200: jsonResponse(OrganizationProjects), ...errorResponses },
});

export function v1OrganizationRoutes(deps: Deps, router: Router): void {
  router.openapi(list, async (c) =>
    c.json(await listV1Organizations(deps, { actor: c.get('principal') }), 200),
  );
  router.openapi(create, async (c) =>
    c.json(
      await createV1Organization(deps, { actor: c.get('principal'), input: c.req.valid('json') }),
      201,
    ),
  );
  router.openapi(get, async (c) =>
    c.json(
      await getV1Organization(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(members, async (c) =>
    c.json(
      await listV1OrganizationMembers(deps, {
        actor: c.get('principal'),
        input: c.req.valid('param'),
      }),
      200,
    ),
  );
  router.openapi(projects, async (c) => {
    const q = c.req.valid('query');
    return c.json(
      await listOrganizationProjects(deps, {
        actor: c.get('principal'),
        input: { slug: c.req.valid('param').slug, ...q },
      }),
      200,
    );
  });
}
