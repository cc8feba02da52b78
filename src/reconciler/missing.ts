import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { projects, type ProjectStatus } from '../db/schema/index.js';
import { transition } from '../projects/transitions.js';
import type { Watched } from './reconcile.js';

/** Ticks in a row a service must be confirmed gone before its project counts as REMOVED. */
export const MISSING_TICKS_TO_REMOVE = 2;

const REASON = 'the Coolify service no longer exists (deleted in Coolify)';

/**
 * A service absent from GET /servers/{uuid}/resources is not yet proof of deletion: the listing
 * is built from the service's server_id (ServersController.php:241-253, Server.php:1001-1008,
 * 1199-1202@379abb25), so a service moved to another server or destination drops out of it
 * while it still exists. Only GET /services/{uuid} answering 404 "Service not found."
 * (ServicesController.php:816-844), on MISSING_TICKS_TO_REMOVE ticks in a row, makes the project
 * REMOVED. Its secrets are kept, encrypted, for `retentionMs`, so an operator can bring it back;
 * purgeExpiredSecrets deletes them afterwards.
 */
export async function confirmMissing(
  deps: Pick<Deps, 'db' | 'provisioner' | 'log'>,
  project: Watched,
  retentionMs: number,
): Promise<{ to: ProjectStatus; reason: string } | undefined> {
  let exists: boolean;
  try {
    exists = await deps.provisioner!.exists(project.coolifyServiceUuid!);
  } catch (err) {
    deps.log.warn({ ref: project.ref, error: (err as Error).message }, 'reconcile: cannot confirm');
    return undefined;
  }
  if (exists) {
    deps.log.warn(
      { ref: project.ref, service: project.coolifyServiceUuid, server: project.serverUuid },
      'reconcile: the service exists but is not listed on its server (moved in Coolify?)',
    );
    if (project.missingTicks > 0)
      await deps.db.update(projects).set({ missingTicks: 0 }).where(eq(projects.id, project.id));
    return undefined;
  }
  const ticks = project.missingTicks + 1;
  if (ticks < MISSING_TICKS_TO_REMOVE) {
    await deps.db.update(projects).set({ missingTicks: ticks }).where(eq(projects.id, project.id));
    return undefined;
  }
  const removed = await deps.db.transaction(async (tx) => {
    const updated = await transition(tx, project, {
      to: 'REMOVED',
      from: [project.status],
      actor: 'reconciler',
      action: 'project.reconcile',
      error: REASON,
      detail: { coolifyStatus: 'missing', reason: REASON, confirmedTicks: ticks },
    });
    if (updated) {
      await tx
        .update(projects)
        .set({ missingTicks: ticks, secretsRetainedUntil: new Date(Date.now() + retentionMs) })
        .where(eq(projects.id, project.id));
    }
    return updated;
  });
  return removed ? { to: 'REMOVED', reason: REASON } : undefined;
}
