import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../../context.js';
import { requireOrganization, requireProject } from '../../members/access.js';
import { getOrganization } from '../../organizations/organizations.js';
import { renameProject } from '../../projects/rename.js';
import { createdProjectView, projectSecretsOf } from '../../projects/views.js';
import {
  createProject,
  deleteProject,
  pauseProject,
  restartProject,
  restoreProject,
} from '../../projects/projects.js';
import { resolveServer } from '../../projects/regions.js';
import { checkUnsupported } from '../v1/project-views.js';
import {
  accessForRole,
  mintTemporaryKey,
  parseTemporaryKeyClaims,
  parseTemporaryKeyLifetime,
} from '../../api-keys/temporary-keys.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { AnyObject, CreatedProject, ProjectRef, text, Unpaused } from './project-schemas.js';
import { bearer, jsonBody, jsonResponse, lifecycleErrors, ProjectRefParam } from '../schemas.js';

/**
 * Studio's project lifecycle: the wizard's submit, pause, restore, restart,
 * rename, delete and temporary keys. Each calls the same service verbs as /v1
 * and the CLI; the lifecycle itself runs as durable jobs.
 */

const tags = ['Dashboard projects'];
const route = (method: 'post' | 'patch' | 'delete', path: string, summary: string) =>
  ({ method, path, tags, summary, security: bearer }) as const;

const CreateProjectBody = z
  .object({
    name: text(256).pipe(z.string().min(1)),
    organization_slug: z
      .string()
      .max(128)
      .regex(/^[\w-]+$/, 'must be an organization slug')
      .optional(),
    org_id: z.number().int().positive().optional(),
    cloud_provider: z.string().max(64).optional(),
    // The database password; Supaplane generates one when absent.
    db_pass: z.string().max(1024).optional(),
    // Studio's "Data API" choice: the schemas PostgREST exposes, [] for off.
    data_api_exposed_schemas: z.array(z.string().max(63)).max(50).optional(),
    // Studio's "enable automatic RLS" SQL, run once the database is up.
    db_sql: z.string().max(100_000).optional(),
    // Refused unless Supaplane runs exactly that (Postgres 15, GA, one size).
    postgres_engine: z.string().max(32).optional(),
    release_channel: z.string().max(32).optional(),
    desired_instance_size: z.string().max(64).optional(),
    db_region: text(256).optional(),
    region_selection: z
      .object({ type: z.enum(['specific', 'smartGroup']), code: z.string().min(1).max(128) })
      .optional(),
  })
  .refine((b) => b.organization_slug !== undefined || b.org_id !== undefined, {
    message: 'organization_slug is required',
    path: ['organization_slug'],
  })
  .openapi('CreateProjectBody');

const createRoute_ = createRoute({
  ...route('post', '/projects', 'Create a project (the wizard’s submit); it starts COMING_UP'),
  request: {
    body: jsonBody(CreateProjectBody),
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
  },
  responses: { 201: jsonResponse(CreatedProject), ...lifecycleErrors },
});

const refRoute = (method: 'post' | 'patch' | 'delete', path: string, summary: string) =>
  ({ ...route(method, path, summary), request: { params: ProjectRefParam } }) as const;

const pauseRoute = createRoute({
  ...refRoute('post', '/projects/{ref}/pause', 'Pause (stop) a project; it moves to INACTIVE'),
  responses: { 200: jsonResponse(ProjectRef), ...lifecycleErrors },
});
const restoreRoute = createRoute({
  ...route('post', '/projects/{ref}/restore', 'Restore (start) a paused project'),
  request: {
    params: ProjectRefParam,
    // Studio may name an engine or channel; a stack restarts on the version it has.
    body: { required: false, content: { 'application/json': { schema: AnyObject } } },
  },
  responses: { 200: jsonResponse(Unpaused), ...lifecycleErrors },
});
const restartRoute = createRoute({
  ...refRoute('post', '/projects/{ref}/restart', 'Restart every service of a project'),
  responses: { 200: jsonResponse(AnyObject), ...lifecycleErrors },
});
const restartServicesRoute = createRoute({
  ...refRoute('post', '/projects/{ref}/restart-services', 'Restart a project’s services'),
  responses: { 200: jsonResponse(AnyObject), ...lifecycleErrors },
});
const renameRoute = createRoute({
  ...route('patch', '/projects/{ref}', 'Rename a project'),
  request: {
    params: ProjectRefParam,
    body: jsonBody(
      z.object({ name: text(256).pipe(z.string().min(1)) }).openapi('UpdateProjectBody'),
    ),
  },
  responses: { 200: jsonResponse(ProjectRef), ...lifecycleErrors },
});
const deleteRoute = createRoute({
  ...refRoute('delete', '/projects/{ref}', 'Delete a project and its data'),
  responses: { 200: jsonResponse(ProjectRef), ...lifecycleErrors },
});
const temporaryKeyRoute = createRoute({
  ...route('post', '/projects/{ref}/api-keys/temporary', 'A short-lived API key for the browser'),
  request: {
    params: ProjectRefParam,
    query: z.object({
      authorization_exp: z.string().max(16).optional(),
      claims: z.string().max(1024).optional(),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ api_key: z.string() }).openapi('TemporaryApiKeyResponse')),
    ...lifecycleErrors,
  },
});

const refView = (p: { id: number; name: string; ref: string }) => ({
  id: p.id,
  name: p.name,
  ref: p.ref,
});

/** Mounted at /platform. Lifecycle changes need admin access; temporary keys depend on the role. */
export function platformProjectLifecycleRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  const actorOf = (p: Principal) => ({ id: p.userId });
  const admin = (p: Principal, ref: string) => requireProject(deps, p, ref, 'admin');

  router.openapi({ ...createRoute_, middleware: auth }, async (c) => {
    const body = c.req.valid('json');
    const principal = c.get('principal');
    // Older Studio builds name the organization by id; membership is checked next.
    checkUnsupported({
      desiredInstanceSize: body.desired_instance_size,
      postgresEngine: body.postgres_engine,
      releaseChannel: body.release_channel,
    });
    const slug = body.organization_slug ?? (await getOrganization(deps, body.org_id!)).slug;
    const { organization } = await requireOrganization(deps, principal, slug, 'admin');
    const serverUuid = resolveServer(deps.config, {
      regionSelection: body.region_selection,
      dbRegion: body.db_region,
    });
    const project = await createProject(deps, {
      actor: actorOf(principal),
      input: {
        organizationId: organization.id,
        name: body.name,
        serverUuid,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
        dbPassword: body.db_pass,
        dataApiSchemas: body.data_api_exposed_schemas,
        initSql: body.db_sql,
      },
    });
    const secrets = await projectSecretsOf(deps, project);
    return c.json(createdProjectView(deps.config, project, organization, secrets), 201);
  });

  router.openapi({ ...pauseRoute, middleware: auth }, async (c) => {
    const principal = c.get('principal');
    const { project } = await admin(principal, c.req.valid('param').ref);
    const p = await pauseProject(deps, { actor: actorOf(principal), input: { ref: project.ref } });
    return c.json(refView(p), 200);
  });

  router.openapi({ ...restoreRoute, middleware: auth }, async (c) => {
    const principal = c.get('principal');
    const { project } = await admin(principal, c.req.valid('param').ref);
    const p = await restoreProject(deps, {
      actor: actorOf(principal),
      input: { ref: project.ref },
    });
    return c.json(
      {
        id: p.id,
        organization_id: p.organizationId,
        cloud_provider: 'AWS',
        region: p.serverUuid,
        status: p.status,
        back_ups: [],
      },
      200,
    );
  });

  for (const r of [restartRoute, restartServicesRoute]) {
    router.openapi({ ...r, middleware: auth }, async (c) => {
      const principal = c.get('principal');
      const { project } = await admin(principal, c.req.valid('param').ref);
      await restartProject(deps, { actor: actorOf(principal), input: { ref: project.ref } });
      return c.json({}, 200);
    });
  }

  router.openapi({ ...renameRoute, middleware: auth }, async (c) => {
    const principal = c.get('principal');
    const { project } = await admin(principal, c.req.valid('param').ref);
    const p = await renameProject(deps, {
      actor: actorOf(principal),
      input: { ref: project.ref, name: c.req.valid('json').name },
    });
    return c.json(refView(p), 200);
  });

  router.openapi({ ...deleteRoute, middleware: auth }, async (c) => {
    const principal = c.get('principal');
    const { project } = await admin(principal, c.req.valid('param').ref);
    await deleteProject(deps, { actor: actorOf(principal), input: { ref: project.ref } });
    return c.json(refView(project), 200);
  });

  router.openapi({ ...temporaryKeyRoute, middleware: auth }, async (c) => {
    const q = c.req.valid('query');
    const { role } = parseTemporaryKeyClaims(q.claims);
    const lifetimeSeconds = parseTemporaryKeyLifetime(q.authorization_exp);
    const { project } = await requireProject(
      deps,
      c.get('principal'),
      c.req.valid('param').ref,
      accessForRole(role),
    );
    const key = await mintTemporaryKey(deps, { project, role, lifetimeSeconds });
    return c.json({ api_key: key.api_key }, 200);
  });
  return router;
}
