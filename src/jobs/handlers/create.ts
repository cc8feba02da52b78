import { eq } from 'drizzle-orm';
import { organizations, projects } from '../../db/schema/index.js';
import { recordCoolifyAction } from '../../reconciler/freshness.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { projectPublicUrl } from '../../projects/urls.js';
import { applyStackEnv } from '../../settings/stack-env.js';
import { done, type HandlerContext, type JobHandler } from './types.js';

/**
 * create → Coolify project for the organization → service from our compose →
 * our secrets and the project's settings as env → start. Each step is safe to repeat; the reconciler then
 * takes COMING_UP to ACTIVE_HEALTHY once the gateway answers.
 */
export const createHandler: JobHandler = {
  failure: { while: ['COMING_UP'], to: 'INIT_FAILED' },
  waitBudgetMs: 0,
  async run(ctx) {
    const { deps, provisioner, project } = ctx;
    if (project.status !== 'COMING_UP') return done; // deleted or failed meanwhile
    const groupId = await ensureGroup(ctx);
    const publicUrl = projectPublicUrl(deps.config, project.ref);
    // A run after a failed or unanswered POST /services: Coolify may have made the service anyway.
    const resumed = Boolean(ctx.job.payload.stackRequested);
    let stackId = project.coolifyServiceUuid;
    if (!stackId) {
      if (resumed) stackId = (await provisioner.findStacks(groupId, project.ref))[0] ?? null;
      if (!stackId) {
        await ctx.remember({ stackRequested: true });
        const [org] = await deps.db
          .select()
          .from(organizations)
          .where(eq(organizations.id, project.organizationId));
        stackId = await provisioner.createStack({
          ref: project.ref,
          name: project.name,
          organizationName: org!.name,
          groupId,
          serverUuid: project.serverUuid,
          publicUrl,
          templateVersion: project.templateVersion,
          env: {},
        });
      }
      await deps.db
        .update(projects)
        .set({ coolifyServiceUuid: stackId })
        .where(eq(projects.id, project.id));
    }
    const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
    if (!secrets) throw new Error(`secrets of project ${project.ref} are missing`);
    await applyStackEnv(deps, provisioner, stackId, project, secrets);
    await recordCoolifyAction(deps.db, project.id, 'start');
    await provisioner.start(stackId);
    if (resumed) await removeDuplicates(ctx, groupId, stackId);
    return done;
  },
};

/**
 * The organization's Coolify project, created once. The organization row stays
 * locked meanwhile so concurrent creates (in any process) share one group.
 */
async function ensureGroup({ deps, provisioner, project }: HandlerContext): Promise<string> {
  if (project.coolifyProjectUuid) return project.coolifyProjectUuid;
  const groupId = await deps.db.transaction(async (tx) => {
    const [org] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.id, project.organizationId))
      .for('update');
    if (!org) throw new Error(`organization ${project.organizationId} is missing`);
    const id = await provisioner.ensureGroup(
      { organizationName: org.name, organizationSlug: org.slug },
      org.coolifyProjectUuid,
    );
    if (id !== org.coolifyProjectUuid) {
      await tx
        .update(organizations)
        .set({ coolifyProjectUuid: id })
        .where(eq(organizations.id, org.id));
    }
    return id;
  });
  await deps.db
    .update(projects)
    .set({ coolifyProjectUuid: groupId })
    .where(eq(projects.id, project.id));
  return groupId;
}

/**
 * A POST /services that timed out may still have been running in Coolify when
 * the retry looked for it, leaving two services for one ref. Keep ours.
 */
async function removeDuplicates(
  { deps, provisioner, project }: HandlerContext,
  groupId: string,
  keep: string,
) {
  for (const extra of (await provisioner.findStacks(groupId, project.ref)).filter(
    (id) => id !== keep,
  )) {
    deps.log.warn({ ref: project.ref, service: extra }, 'removing a duplicate Coolify service');
    await provisioner.remove(extra);
  }
}
