import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { auditLog, projects } from '../db/schema/index.js';
import { secretKeysFor } from '../provisioner/template.js';
import type { ProjectSecrets } from '../secrets/generate.js';
import { loadProjectSecrets, saveProjectSecrets } from '../secrets/store.js';
import { transition } from '../projects/transitions.js';
import { templatePostgresImage } from './compose.js';
import { next, StepFailed, type StepContext, type StepResult } from './steps.js';
import type { UpgradeState } from './state.js';

/** Keeps only the secrets `version` uses (C8: none a stack does not run with). */
async function keepSecretsOf(ctx: StepContext, tx: Tx, version: string): Promise<void> {
  const all = await loadProjectSecrets(tx, ctx.deps.keyring, ctx.project.id);
  if (!all) throw new StepFailed(`secrets of project ${ctx.project.ref} are missing`);
  const keep = new Set<string>(secretKeysFor(version));
  const kept = Object.fromEntries(Object.entries(all).filter(([k]) => keep.has(k)));
  await saveProjectSecrets(tx, ctx.deps.keyring, ctx.project.id, kept as ProjectSecrets);
}

export const failureMessage = (s: UpgradeState) =>
  `Upgrade from ${s.from} to ${s.to} failed at step ${s.failedStep}: ${s.error}. ` +
  `The project was rolled back to ${s.from}.`;

/**
 * The last step of either phase, in one transaction: the project's version (and the
 * database image it keeps), its secrets, ACTIVE_HEALTHY with the failure shown or cleared.
 */
export async function finishUpgrade(ctx: StepContext): Promise<StepResult> {
  const { state, project } = ctx;
  const forward = state.phase === 'forward';
  const image = project.postgresImage ?? (await templatePostgresImage(project.templateVersion));
  const keptImage = image === (await templatePostgresImage(state.to)) ? null : image;
  await ctx.deps.db.transaction(async (tx) => {
    await keepSecretsOf(ctx, tx, forward ? state.to : state.from);
    if (forward) {
      await tx
        .update(projects)
        .set({ templateVersion: state.to, postgresImage: keptImage })
        .where(eq(projects.id, project.id));
    }
    const moved = await transition(tx, project, {
      to: 'ACTIVE_HEALTHY',
      from: ['UPGRADING'],
      actor: 'system',
      action: forward ? 'project.upgrade.succeeded' : 'project.upgrade.rolled_back',
      error: forward ? null : failureMessage(state),
      detail: { from: state.from, to: state.to, ...(forward ? { postgresImage: image } : {}) },
    });
    if (!moved) throw new StepFailed(`project ${project.ref} left UPGRADING during the upgrade`);
  });
  return next;
}

export async function auditStep(ctx: StepContext, tx: Tx = ctx.deps.db): Promise<void> {
  await tx.insert(auditLog).values({
    actor: 'system',
    action:
      ctx.state.phase === 'forward' ? 'project.upgrade.step' : 'project.upgrade.rollback_step',
    organizationId: ctx.project.organizationId,
    projectId: ctx.project.id,
    detail: { step: ctx.state.step, from: ctx.state.from, to: ctx.state.to },
  });
}
