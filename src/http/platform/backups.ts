import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { signDownload, verifyDownload } from '../../backups/download-token.js';
import { getBackup } from '../../backups/service.js';
import { backupsResponse } from '../../backups/views.js';
import {
  backupFileName,
  findProjectBackup,
  listProjectBackups,
  openBackupDownload,
  restoreProjectBackup,
} from '../../backups/verbs.js';
import { getProjectByRef } from '../../projects/projects.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { bearer, jsonBody, jsonResponse, lifecycleErrors, ProjectRefParam } from '../schemas.js';

/**
 * Studio's Database → Backups page (pinned tag): the list (data/database/backups-query.ts,
 * `GET /platform/database/{ref}/backups`), restore (backup-restore-mutation.ts,
 * `POST …/backups/restore` with `{ id }`) and download (backup-download-mutation.ts,
 * `POST …/backups/download` → `{ fileUrl }`, which the browser then opens).
 */
const tags = ['Dashboard backups'];
const AnyObject = z.object({}).passthrough();
const BackupId = z.object({ id: z.coerce.number().int().positive() }).passthrough();

const list = createRoute({
  method: 'get',
  path: '/database/{ref}/backups',
  tags,
  summary: "A project's logical backups",
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(AnyObject), ...lifecycleErrors },
});
const restore = createRoute({
  method: 'post',
  path: '/database/{ref}/backups/restore',
  tags,
  summary: 'Restore a logical backup into the project (it is RESTORING until done)',
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(BackupId) },
  responses: { 201: jsonResponse(AnyObject), ...lifecycleErrors },
});
const download = createRoute({
  method: 'post',
  path: '/database/{ref}/backups/download',
  tags,
  summary: 'A short-lived URL to download a backup (pg_dump custom format)',
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(BackupId) },
  responses: {
    201: jsonResponse(z.object({ fileUrl: z.string() }).openapi('BackupDownloadResponse')),
    ...lifecycleErrors,
  },
});
const file = createRoute({
  method: 'get',
  path: '/database/backup-file',
  tags,
  summary: 'The backup a download URL names (its token is the authorization)',
  // Optional so a missing token gets the same 401 as a bad one.
  request: { query: z.object({ token: z.string().max(4096).optional() }) },
  responses: { 200: { description: 'pg_dump custom-format archive' }, ...lifecycleErrors },
});

function selfOrigin(deps: Deps, requestUrl: string) {
  const base = deps.config.SUPAPLANE_PUBLIC_URL?.replace(/\/+$/, '') ?? new URL(requestUrl).origin;
  return `${base}${deps.config.SUPAPLANE_PUBLIC_URL ? '' : deps.config.SUPAPLANE_BASE_PATH}`;
}

/** Mounted at /platform. */
export function platformBackupRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  router.openapi({ ...list, middleware: auth }, async (c) => {
    const { project, backups } = await listProjectBackups(deps, {
      actor: c.get('principal'),
      input: c.req.valid('param'),
    });
    return c.json(backupsResponse(project, backups), 200);
  });
  router.openapi({ ...restore, middleware: auth }, async (c) => {
    await restoreProjectBackup(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, backupId: c.req.valid('json').id },
    });
    return c.json({}, 201);
  });
  router.openapi({ ...download, middleware: auth }, async (c) => {
    const principal = c.get('principal');
    const { ref } = c.req.valid('param');
    const backup = await findProjectBackup(deps, {
      actor: principal,
      input: { ref, backupId: c.req.valid('json').id },
    });
    const token = await signDownload(deps, ref, backup.id, principal.userId);
    const fileUrl = `${selfOrigin(deps, c.req.url)}/platform/database/backup-file?token=${encodeURIComponent(token)}`;
    return c.json({ fileUrl }, 201);
  });
  router.openapi(file, async (c) => {
    const grant = await verifyDownload(deps, c.req.valid('query').token ?? '');
    const project = await getProjectByRef(deps, grant.ref);
    const backup = await getBackup(deps, project, grant.backupId);
    const { stream, release } = await openBackupDownload(deps, backup);
    stream.once('close', () => void release());
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${backupFileName(project.ref, backup)}"`,
        'cache-control': 'no-store',
      },
    });
  });
  return router;
}
