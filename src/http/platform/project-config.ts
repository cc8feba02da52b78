import { createRoute, z } from '@hono/zod-openapi';
import { listBackups } from '../../backups/service.js';
import type { Deps } from '../../context.js';
import { requireOrganization, requireProject } from '../../members/access.js';
import { pgbouncerView, poolerConfigView } from '../../connections/views.js';
import { realtimeConfigView, serviceVersions } from '../../projects/views.js';
import {
  getPostgrestConfig,
  getStorageConfig,
  updatePostgrestConfig,
  updateStorageConfig,
} from '../../settings/data-api-and-storage.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { AnyObject, AvailableVersions } from './project-schemas.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  OrganizationSlugParam,
  ProjectRefParam,
} from '../schemas.js';

/**
 * Settings pages of a project, and the wizard's version picker. Values are what
 * the template runs, with the project's settings overlaid; the Data API and storage
 * settings can be changed (src/settings/), the others are fixed.
 */

const tags = ['Dashboard project settings'];
const read = (path: string, summary: string, schema: z.ZodType = AnyObject) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    security: bearer,
    request: { params: ProjectRefParam },
    responses: { 200: jsonResponse(schema), ...errorResponses },
  });

// The template's Postgres; Studio only offers engines 15/17, and a project keeps its own.
const POSTGRES = {
  version: '15.8.1.085',
  postgres_engine: '15' as const,
  release_channel: 'ga' as const,
};

const availableVersionsRoute = createRoute({
  method: 'post',
  path: '/organizations/{slug}/available-versions',
  tags,
  summary: 'Postgres versions a new project may use',
  security: bearer,
  request: {
    params: OrganizationSlugParam,
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({ provider: z.string().max(64), region: z.string().max(256) }).partial(),
        },
      },
    },
  },
  responses: { 200: jsonResponse(AvailableVersions), ...errorResponses },
});

/** Mounted at /platform. Every route needs a member of the project's organization. */
export function platformProjectConfigRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  type Handler = Parameters<typeof requireProject>;
  const member = (principal: Handler[1], ref: string) =>
    requireProject(deps, principal, ref, 'read');

  router.openapi({ ...availableVersionsRoute, middleware: auth }, async (c) => {
    await requireOrganization(deps, c.get('principal'), c.req.valid('param').slug, 'read');
    return c.json({ available_versions: [POSTGRES] }, 200);
  });

  const restoreVersions = read(
    '/projects/{ref}/restore/versions',
    'Versions a paused project may be restored to (its own only)',
    AvailableVersions,
  );
  router.openapi({ ...restoreVersions, middleware: auth }, async (c) => {
    await member(c.get('principal'), c.req.valid('param').ref);
    // Empty: restoring keeps the version the stack has; Studio then offers no choice.
    return c.json({ available_versions: [] }, 200);
  });

  const pauseStatus = read(
    '/projects/{ref}/pause/status',
    'Whether a paused project can be restored',
  );
  router.openapi({ ...pauseStatus, middleware: auth }, async (c) => {
    const { project } = await member(c.get('principal'), c.req.valid('param').ref);
    return c.json(
      {
        can_restore: project.status === 'INACTIVE' || project.status === 'RESTORE_FAILED',
        // What Studio's paused page offers to download (backups/download, by this id).
        latest_downloadable_backup_id:
          (await listBackups(deps, project)).find((b) => b.status === 'COMPLETED')?.id ?? null,
        // Paused stacks keep their volumes indefinitely: restore is never disabled.
        max_days_till_restore_disabled: 36_500,
        remaining_days_till_restore_disabled: null,
      },
      200,
    );
  });

  const postgrest = read('/projects/{ref}/config/postgrest', 'Data API (PostgREST) settings');
  router.openapi({ ...postgrest, middleware: auth }, async (c) =>
    c.json(
      await getPostgrestConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
      }),
      200,
    ),
  );
  const storage = read('/projects/{ref}/config/storage', 'Storage settings');
  router.openapi({ ...storage, middleware: auth }, async (c) =>
    c.json(
      await getStorageConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
      }),
      200,
    ),
  );
  const patch = (path: string, summary: string) =>
    createRoute({
      method: 'patch',
      path,
      tags,
      summary,
      security: bearer,
      request: { params: ProjectRefParam, body: jsonBody(AnyObject) },
      responses: { 200: jsonResponse(AnyObject), ...lifecycleErrors },
    });
  const postgrestPatch = patch(
    '/projects/{ref}/config/postgrest',
    'Change Data API settings (db_schema, db_extra_search_path, max_rows, db_pool); the stack restarts',
  );
  router.openapi({ ...postgrestPatch, middleware: auth }, async (c) =>
    c.json(
      await updatePostgrestConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
        body: c.req.valid('json'),
      }),
      200,
    ),
  );
  const storagePatch = patch(
    '/projects/{ref}/config/storage',
    'Change storage settings (fileSizeLimit); the stack restarts',
  );
  router.openapi({ ...storagePatch, middleware: auth }, async (c) =>
    c.json(
      await updateStorageConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
        body: c.req.valid('json'),
      }),
      200,
    ),
  );

  const fixed: [string, string, (p: Awaited<ReturnType<typeof member>>) => unknown][] = [
    ['/projects/{ref}/config/realtime', 'Realtime settings', () => realtimeConfigView()],
    // The stack's PgBouncer (template v2; v1 runs none: no entry, disabled).
    [
      '/projects/{ref}/config/supavisor',
      'Connection pooler (the stack’s PgBouncer)',
      ({ project }) => poolerConfigView(deps.config, project),
    ],
    [
      '/projects/{ref}/config/pgbouncer',
      'PgBouncer (the stack’s pooler; disabled on template v1)',
      ({ project }) => pgbouncerView(deps.config, project),
    ],
    [
      '/projects/{ref}/billing/addons',
      'Add-ons (none)',
      ({ project }) => ({ ref: project.ref, available_addons: [], selected_addons: [] }),
    ],
    [
      '/projects/{ref}/service-versions',
      'Versions of the project’s services',
      ({ project }) => serviceVersions(project),
    ],
    [
      '/props/project/{ref}/jwt-secret-update-status',
      'JWT secret rotation status (never rotating)',
      () => ({ jwtSecretUpdateStatus: null }),
    ],
  ];
  for (const [path, summary, view] of fixed) {
    router.openapi({ ...read(path, summary, z.unknown()), middleware: auth }, async (c) => {
      const access = await member(c.get('principal'), c.req.valid('param').ref);
      return c.json(view(access) as object, 200);
    });
  }
  return router;
}
