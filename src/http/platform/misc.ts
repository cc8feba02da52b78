import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import { requireOrganization, requireProject } from '../../members/access.js';
import { newRouter, type Router } from '../env.js';
import type { AppEnv } from '../env.js';
import { requireAuth } from '../middleware/auth.js';

/**
 * Studio features Supaplane does not offer (ENDPOINTS.md §1, P2), answered with
 * the empty shapes Studio renders as "nothing here", so its console stays clean.
 * They are not in the OpenAPI document: they describe nothing. Telemetry, feature
 * flags and the incident status are called before sign-in, so they are public
 * and read no input; everything else needs a member.
 */

const EMPTY_ANALYTICS = { data: [], format: '', total: 0, totalAverage: 0, yAxisLimit: 0 };
const TELEMETRY_POSTS = [
  'page',
  'event',
  'identify',
  'page-leave',
  'groups/identify',
  'groups/reset',
  'reset',
  'feature-flags/track',
];

/** Mounted at /platform. */
export function platformMiscRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  const json = (value: unknown) => (c: Context<AppEnv>) => c.json(value as object, 200);
  const projectMember = (value: unknown) => async (c: Context<AppEnv>) => {
    await requireProject(deps, c.get('principal'), c.req.param('ref') ?? '', 'read');
    return c.json(value as object, 200);
  };

  // Without this answer Studio's flag provider never loads, and read queries stall.
  router.get('/telemetry/feature-flags', json({}));
  for (const path of TELEMETRY_POSTS) router.post(`/telemetry/${path}`, json({}));
  router.get('/status', json({}));

  router.get('/notifications', auth, json([]));
  router.patch('/notifications', auth, json([]));
  router.patch('/notifications/archive-all', auth, json({}));
  const summary = { has_critical: false, has_warning: false, unread_count: 0 };
  router.get('/notifications/summary', auth, json(summary));
  router.get('/stripe/invoices/overdue', auth, json([]));
  router.get('/projects-resource-warnings', auth, json([]));
  router.get('/integrations', auth, json([]));
  router.get('/integrations/:slug', auth, async (c) => {
    await requireOrganization(deps, c.get('principal'), c.req.param('slug'), 'read');
    return c.json([], 200);
  });
  router.get('/profile/audit', auth, json({ result: [], retention_period: 0 }));
  router.post('/profile/audit-login', auth, json({}));

  router.get('/projects/:ref/run-lints', auth, projectMember([]));
  router.get('/projects/:ref/infra-monitoring', auth, projectMember(EMPTY_ANALYTICS));
  router.get('/projects/:ref/daily-stats', auth, projectMember(EMPTY_ANALYTICS));
  // Logs explorer and reports: GET with the query in the URL, newer builds POST it.
  for (const method of ['get', 'post'] as const) {
    router[method]('/projects/:ref/analytics/endpoints/*', auth, projectMember({ result: [] }));
  }
  return router;
}
