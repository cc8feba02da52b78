import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { auditLog, projects, RUNNING_STATUSES, type Project } from '../db/schema/index.js';
import { AppError, conflict, notFound } from '../errors.js';
import { enqueue } from '../jobs/queue.js';
import { transition } from './transitions.js';

/**
 * The project row, locked for the rest of the transaction, if an env change may
 * start now: so a key or secret write and the job that applies it cannot
 * interleave with a pause, delete or another change.
 */
export async function lockProjectForEnvChange(tx: Tx, projectId: number): Promise<Project> {
  const [project] = await tx
    .select()
    .from(projects)
    .where(eq(projects.id, projectId))
    .for('update');
  if (!project || project.status === 'REMOVED') throw notFound('Project');
  if (
    !RUNNING_STATUSES.includes(project.status) &&
    !['RESTARTING', 'INACTIVE'].includes(project.status)
  ) {
    throw new AppError(
      'precondition',
      `Project ${project.ref} is ${project.status}; keys and secrets can be changed when it is ACTIVE_HEALTHY or INACTIVE`,
      { status: project.status },
    );
  }
  return project;
}

/**
 * Schedules applying the project's stored keys and secrets to its Coolify env
 * (job `apply-env`). A running stack is restarted and shows RESTARTING meanwhile;
 * a paused one only gets the env, which its next start picks up.
 */
export async function scheduleEnvApply(
  tx: Tx,
  project: Project,
  change: {
    actor: string;
    action: string;
    detail?: Record<string, unknown>;
    removeKeys?: string[];
  },
): Promise<Project> {
  const job = {
    id: `apply-env:${project.ref}:${randomUUID()}`,
    kind: 'apply-env' as const,
    projectId: project.id,
    payload: { removeKeys: change.removeKeys ?? [] },
  };
  // A running stack is restarted by the change: RESTARTING until the probe passes.
  if (RUNNING_STATUSES.includes(project.status)) {
    const updated = await transition(tx, project, {
      to: 'RESTARTING',
      from: [project.status],
      actor: change.actor,
      action: change.action,
      detail: change.detail,
      error: null,
      job,
    });
    if (!updated) throw conflict(`Project ${project.ref} changed state meanwhile; try again`);
    return updated;
  }
  await enqueue(tx, job);
  await tx.insert(auditLog).values({
    actor: change.actor,
    action: change.action,
    organizationId: project.organizationId,
    projectId: project.id,
    fromStatus: project.status,
    toStatus: project.status,
    detail: change.detail ?? {},
  });
  return project;
}
