import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { v1BackupsResponse } from '../../backups/views.js';
import { listProjectBackups } from '../../backups/verbs.js';
import type { Router } from '../env.js';
import { bearer, jsonResponse, lifecycleErrors, ProjectRefParam } from '../schemas.js';

/**
 * `GET /v1/projects/{ref}/database/backups` (`v1-list-all-backups` in openapi-v1.json).
 * The spec's other backup endpoints are physical (PITR, restore points, undo), which
 * logical backups cannot serve: they stay unrouted and answer 404 with a message.
 */
const V1BackupsResponse = z
  .object({
    region: z.string(),
    walg_enabled: z.boolean(),
    pitr_enabled: z.boolean(),
    backups: z.array(
      z.object({
        is_physical_backup: z.boolean(),
        status: z.enum(['COMPLETED', 'FAILED', 'PENDING', 'REMOVED', 'ARCHIVED', 'CANCELLED']),
        inserted_at: z.string(),
      }),
    ),
    physical_backup_data: z.object({
      earliest_physical_backup_date_unix: z.number().int().optional(),
      latest_physical_backup_date_unix: z.number().int().optional(),
    }),
  })
  .openapi('V1BackupsResponse');

const list = createRoute({
  method: 'get',
  path: '/projects/{ref}/database/backups',
  tags: ['Database'],
  summary: 'Lists all backups',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(V1BackupsResponse), ...lifecycleErrors },
});

export function v1BackupRoutes(deps: Deps, router: Router): void {
  router.openapi(list, async (c) => {
    const { project, backups } = await listProjectBackups(deps, {
      actor: c.get('principal'),
      input: c.req.valid('param'),
    });
    return c.json(v1BackupsResponse(project, backups), 200);
  });
}
