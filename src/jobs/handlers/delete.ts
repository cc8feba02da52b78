import { and, eq, ne, notInArray } from 'drizzle-orm';
import { organizations, projects } from '../../db/schema/index.js';
import { destroyProjectFunctions } from '../../functions/destroy.js';
import { destroyProjectSecrets } from '../../secrets/store.js';
import { transition } from '../../projects/transitions.js';
import { unfinishedJobs } from '../queue.js';
import { done, wait, type HandlerContext, type JobHandler } from './types.js';

/**
 * GOING_DOWN → REMOVED: delete the service with its volumes, wait until Coolify
 * no longer has it, drop the organization's Coolify project once it is empty,
 * then destroy the secrets.
 */
export const deleteHandler: JobHandler = {
  failure: { while: ['GOING_DOWN'], to: 'UNKNOWN' },
  waitBudgetMs: 15 * 60_000,
  async run(ctx) {
    const { deps, provisioner, project, job } = ctx;
    if (project.status !== 'GOING_DOWN') return done;
    // A create still running could make a service after we looked: let it finish first.
    const others = (await unfinishedJobs(deps.db, project.id)).filter(
      // A backup only reads the database; it fails on its own once the stack is gone.
      (j) => j.id !== job.id && j.kind !== 'backup',
    );
    if (others.length) return wait(1000, `waiting for ${others[0]!.kind} to finish`);
    const stackId = project.coolifyServiceUuid;
    if (stackId) {
      if (!job.payload.removeRequested) {
        // On a server it cannot use, Coolify drops its rows but stops no container and removes
        // no volume or file (StopService.php:34-36, DeleteService.php:12@379abb25): say so.
        const serverDown = !(await provisioner.serverUsable(project.serverUuid));
        await provisioner.remove(stackId);
        await ctx.remember({ removeRequested: true, removeRequestedAt: Date.now(), serverDown });
      }
      if (await provisioner.exists(stackId)) {
        // A DeleteResourceJob that failed leaves the service (DeleteResourceJob.php:102-131):
        // one still there after Coolify's status lag is asked again.
        const askedAt = Number(job.payload.removeRequestedAt ?? Date.now());
        if (Date.now() - askedAt > deps.config.SUPAPLANE_COOLIFY_STATUS_LAG_MS) {
          await provisioner.remove(stackId);
          await ctx.remember({ removeRequestedAt: Date.now() });
        }
        return wait(2000, 'Coolify is still deleting the service');
      }
    }
    if (project.coolifyProjectUuid) await removeEmptyGroup(ctx, project.coolifyProjectUuid);
    await deps.db.transaction(async (tx) => {
      await destroyProjectSecrets(tx, project.id);
      await destroyProjectFunctions(tx, project.id);
      const removed = await transition(tx, project, {
        to: 'REMOVED',
        from: ['GOING_DOWN'],
        actor: 'system',
        action: 'project.removed',
        error: null,
        detail: job.payload.serverDown ? { warning: leftoverWarning(project) } : undefined,
      });
      if (removed && job.payload.serverDown) {
        await tx
          .update(projects)
          .set({ warning: leftoverWarning(project) })
          .where(eq(projects.id, project.id));
      }
    });
    return done;
  },
};

export const leftoverWarning = (p: { serverUuid: string; coolifyServiceUuid: string | null }) =>
  `Coolify's server ${p.serverUuid} was not reachable when this project was deleted: its ` +
  `containers (*-${p.coolifyServiceUuid}) may still run, and its volumes (${p.coolifyServiceUuid}_*) ` +
  `and files (/data/coolify/services/${p.coolifyServiceUuid}) may remain on the host. Remove them ` +
  'there by hand; `supaplane doctor` lists such projects.';

async function removeEmptyGroup({ deps, provisioner, project }: HandlerContext, groupId: string) {
  await deps.db.transaction(async (tx) => {
    // Same lock as the create handler's, so no create adopts a group being removed.
    const [org] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.id, project.organizationId))
      .for('update');
    if (!org || org.coolifyProjectUuid !== groupId) return;
    const [other] = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(
        and(
          eq(projects.organizationId, org.id),
          ne(projects.id, project.id),
          notInArray(projects.status, ['REMOVED']),
        ),
      )
      .limit(1);
    if (other) return;
    if (await provisioner.removeGroupIfEmpty(groupId)) {
      await tx
        .update(organizations)
        .set({ coolifyProjectUuid: null })
        .where(eq(organizations.id, org.id));
    }
  });
}
