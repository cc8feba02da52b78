import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  v1StartUpgrade,
  v1UpgradeEligibility,
  v1UpgradeStatus,
} from '../../upgrades/management-api.js';
import type { Router } from '../env.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
} from '../schemas.js';

const tags = ['Projects'];
const Channel = z.enum(['internal', 'alpha', 'beta', 'ga', 'withdrawn', 'preview']);

// Shapes as openapi-v1.json spells them (UpgradeDatabaseBody, ProjectUpgradeInitiateResponse,
// ProjectUpgradeEligibilityResponse, DatabaseUpgradeStatusResponse).
const UpgradeDatabaseBody = z
  .object({ target_version: z.string().min(1).max(64), release_channel: Channel.optional() })
  .openapi('UpgradeDatabaseBody');

const Eligibility = z
  .object({
    eligible: z.boolean(),
    current_app_version: z.string(),
    current_app_version_release_channel: Channel,
    latest_app_version: z.string(),
    target_upgrade_versions: z.array(
      z.object({ postgres_version: z.string(), release_channel: Channel, app_version: z.string() }),
    ),
    duration_estimate_hours: z.number(),
    legacy_auth_custom_roles: z.array(z.string()),
    objects_to_be_dropped: z.array(z.string()),
    unsupported_extensions: z.array(z.string()),
    user_defined_objects_in_internal_schemas: z.array(z.string()),
    validation_errors: z.array(z.object({ type: z.string() })),
  })
  .openapi('ProjectUpgradeEligibilityResponse');

const Status = z
  .object({
    databaseUpgradeStatus: z
      .object({
        initiated_at: z.string(),
        latest_status_at: z.string(),
        target_version: z.number(),
        error: z.string().optional(),
        progress: z.string().optional(),
        status: z.number(),
      })
      .nullable(),
  })
  .openapi('DatabaseUpgradeStatusResponse');

const start = createRoute({
  method: 'post',
  path: '/projects/{ref}/upgrade',
  tags,
  summary: "Upgrade the project's stack to a newer template (rolls back on failure)",
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(UpgradeDatabaseBody) },
  responses: {
    201: jsonResponse(
      z.object({ tracking_id: z.string() }).openapi('ProjectUpgradeInitiateResponse'),
    ),
    ...lifecycleErrors,
  },
});

const eligibility = createRoute({
  method: 'get',
  path: '/projects/{ref}/upgrade/eligibility',
  tags,
  summary: 'Whether the project can be upgraded, and to what',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(Eligibility), ...errorResponses },
});

const status = createRoute({
  method: 'get',
  path: '/projects/{ref}/upgrade/status',
  tags,
  summary: "The project's latest (or the tracked) upgrade",
  security: bearer,
  request: {
    params: ProjectRefParam,
    query: z.object({ tracking_id: z.string().max(200).optional() }),
  },
  responses: { 200: jsonResponse(Status), ...errorResponses },
});

export function v1UpgradeRoutes(deps: Deps, router: Router): void {
  router.openapi(start, async (c) =>
    c.json(
      await v1StartUpgrade(deps, c.get('principal'), c.req.valid('param').ref, c.req.valid('json')),
      201,
    ),
  );
  router.openapi(eligibility, async (c) =>
    c.json(await v1UpgradeEligibility(deps, c.get('principal'), c.req.valid('param').ref), 200),
  );
  router.openapi(status, async (c) =>
    c.json(
      await v1UpgradeStatus(
        deps,
        c.get('principal'),
        c.req.valid('param').ref,
        c.req.valid('query').tracking_id,
      ),
      200,
    ),
  );
}
