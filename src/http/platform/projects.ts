import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  requireOrganization,
  requireOrganizationNow,
  requireProject,
  requireProjectNow,
  roleAllows,
  type ProjectAccess,
} from '../../members/access.js';
import {
  databasesView,
  listProjectsPage,
  paginatedView,
  projectDetailView,
  projectInfoView,
  projectListItemView,
  projectSecretsOf,
  projectSettingsView,
  projectStatusView,
} from '../../projects/views.js';
import {
  organizationProjectPage,
  organizationProjectPageNow,
} from './organization-project-page.js';
import { regionsInfo } from '../../projects/regions.js';
import { newRouter, type Router } from '../env.js';
import { selfHeaded } from '../answer-headers.js';
import { sharedJson } from '../shared-json.js';
import { requireAuth } from '../middleware/auth.js';
import {
  Databases,
  ProjectDetail,
  ProjectInfo,
  ProjectPage,
  ProjectPageQuery,
  ProjectSettings,
  ProjectStatusBody,
  RegionsInfo,
} from './project-schemas.js';
import {
  bearer,
  errorResponses,
  jsonResponse,
  OrganizationSlugParam,
  ProjectRefParam,
} from '../schemas.js';

/** Studio's project reads: the lists, the project layout, settings and databases. */

const tags = ['Dashboard projects'];
const get = (path: string, summary: string) =>
  ({ method: 'get', path, tags, summary, security: bearer }) as const;

const regionsRoute = createRoute({
  ...get('/projects/available-regions', 'Where a new project may run: the Coolify servers'),
  request: {
    query: z.object({
      cloud_provider: z.string().max(64).optional(),
      organization_slug: z
        .string()
        .max(128)
        .regex(/^[\w-]+$/, 'must be an organization slug')
        .optional(),
    }),
  },
  responses: { 200: jsonResponse(RegionsInfo), ...errorResponses },
});

const listRoute = createRoute({
  ...get('/projects', 'Your projects in every organization (paginated with `Version: 2`)'),
  request: {
    query: ProjectPageQuery,
    headers: z.object({ version: z.string().max(8).optional() }),
  },
  responses: {
    200: jsonResponse(z.union([ProjectPage, z.array(ProjectInfo)]), 'Page, or array without v2'),
    ...errorResponses,
  },
});

const orgListRoute = createRoute({
  ...get('/organizations/{slug}/projects', "One organization's projects, a page at a time"),
  request: { params: OrganizationSlugParam, query: ProjectPageQuery },
  responses: { 200: jsonResponse(ProjectPage), ...errorResponses },
});

const detailRoute = createRoute({
  ...get('/projects/{ref}', 'A project, as the project layout reads it'),
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(ProjectDetail), ...errorResponses },
});

const statusRoute = createRoute({
  ...get('/projects/{ref}/status', "A project's status"),
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(ProjectStatusBody), ...errorResponses },
});

const settingsRoute = createRoute({
  ...get('/projects/{ref}/settings', 'API endpoint, database details and the legacy keys'),
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(ProjectSettings), ...errorResponses },
});

const databasesRoute = createRoute({
  ...get('/projects/{ref}/databases', "A project's databases (the primary only)"),
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(Databases), ...errorResponses },
});

/** Mounted at /platform. Every route here needs a signed-in member. */
export function platformProjectRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  // No promise when the request already holds the caller's membership (Studio's polls).
  const project = (principal: Parameters<typeof requireProject>[1], ref: string) =>
    requireProjectNow(deps, principal, ref, 'read') ?? requireProject(deps, principal, ref, 'read');

  // Registered before /projects/{ref}, which would otherwise take "available-regions" as a ref.
  router.openapi({ ...regionsRoute, middleware: auth }, async (c) => {
    const slug = c.req.valid('query').organization_slug;
    if (slug) await requireOrganization(deps, c.get('principal'), slug, 'read');
    return c.json(regionsInfo(deps.config), 200);
  });

  router.openapi({ ...listRoute, middleware: auth }, async (c) => {
    const q = c.req.valid('query');
    const scope = { userId: c.get('principal').userId };
    if (c.req.valid('header').version !== '2') {
      // The legacy list is unpaginated: every project, oldest first.
      const all = await listProjectsPage(deps, { scope, offset: 0, sort: 'created_asc' });
      return c.json(
        all.items.map((i) => projectInfoView(i.project, i.organizationSlug)),
        200,
      );
    }
    const page = await listProjectsPage(deps, { scope, ...q });
    return c.json(
      paginatedView(
        page.items.map((i) => projectListItemView(i.project, i.organizationSlug)),
        { count: page.count, limit: q.limit, offset: q.offset },
      ),
      200,
    );
  });

  // Studio's two hot reads answer with bytes they share between requests, headers plain,
  // and without a promise when the request's reads are all cached (each async layer is
  // a promise and a microtask turn per request; compose awaits whatever comes back).
  router.openapi(
    { ...orgListRoute, middleware: auth },
    selfHeaded((c) => {
      const q = c.req.valid('query');
      const [principal, slug] = [c.get('principal'), c.req.valid('param').slug];
      const now = requireOrganizationNow(deps, principal, slug, 'read');
      const page = now && organizationProjectPageNow(deps, now.organization, q);
      if (page) return sharedJson(c, page);
      return (async () => {
        const { organization } = now ?? (await requireOrganization(deps, principal, slug, 'read'));
        return sharedJson(c, await organizationProjectPage(deps, organization, q));
      })();
    }),
  );

  router.openapi(
    { ...detailRoute, middleware: auth },
    selfHeaded((c) => {
      const answer = ({ project: p }: ProjectAccess) =>
        sharedJson(c, projectDetailView(deps.config, p));
      const access = project(c.get('principal'), c.req.valid('param').ref);
      return access instanceof Promise ? access.then(answer) : answer(access);
    }),
  );

  router.openapi({ ...statusRoute, middleware: auth }, async (c) => {
    const { project: p } = await project(c.get('principal'), c.req.valid('param').ref);
    return c.json(projectStatusView(p), 200);
  });

  router.openapi({ ...settingsRoute, middleware: auth }, async (c) => {
    const { project: p, role } = await project(c.get('principal'), c.req.valid('param').ref);
    const secrets = await projectSecretsOf(deps, p);
    const reveal = { serviceKey: roleAllows(role, 'write'), jwtSecret: roleAllows(role, 'admin') };
    return c.json(projectSettingsView(deps.config, p, secrets, reveal), 200);
  });

  router.openapi({ ...databasesRoute, middleware: auth }, async (c) => {
    const { project: p } = await project(c.get('principal'), c.req.valid('param').ref);
    return c.json(databasesView(deps.config, p), 200);
  });
  return router;
}
