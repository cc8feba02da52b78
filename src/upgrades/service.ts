import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { jobs, type Job, type Project } from '../db/schema/index.js';
import { AppError, invalid, precondition } from '../errors.js';
import { CURRENT_TEMPLATE_VERSION, isTemplateVersion } from '../provisioner/template.js';
import { getProjectByRef, type Actor } from '../projects/projects.js';
import { transition } from '../projects/transitions.js';
import { targetsFrom, upgradePath } from './catalogue.js';
import { initialState, isUpgradeState, type UpgradeState } from './state.js';

export interface UpgradeInput {
  ref: string;
  /** A template version (`v2`); the latest one when absent. */
  to?: string;
}

/** The latest version a project on `from` can reach, if any. */
export const latestTarget = (from: string) => targetsFrom(from).at(-1)?.to;

/**
 * Starts an upgrade job: the project goes UPGRADING with its audit row and job in one
 * transaction. Asking again while the same upgrade runs returns it (idempotent).
 */
export async function startUpgrade(
  deps: Deps,
  { actor, input }: { actor: Actor; input: UpgradeInput },
): Promise<{ project: Project; job: Job }> {
  const project = await getProjectByRef(deps, input.ref);
  const running = await latestUpgradeJob(deps, project.id);
  if (project.status === 'UPGRADING' && running && !running.finishedAt) {
    return { project, job: running };
  }
  const to = input.to ?? latestTarget(project.templateVersion) ?? CURRENT_TEMPLATE_VERSION;
  if (!isTemplateVersion(to)) throw invalid(`Unknown template version: ${to}`);
  if (project.templateVersion === to) {
    throw precondition(`Project ${project.ref} already runs template ${to}`);
  }
  const path = upgradePath(project.templateVersion, to);
  if (!path) {
    throw invalid(
      `Project ${project.ref} cannot be upgraded from ${project.templateVersion} to ${to}`,
    );
  }
  if (project.status !== 'ACTIVE_HEALTHY') {
    throw new AppError(
      'precondition',
      `Project ${project.ref} can only be upgraded while ACTIVE_HEALTHY (it is ${project.status})`,
      { status: project.status },
    );
  }
  const id = `upgrade:${project.ref}:${randomUUID()}`;
  const state = initialState(path.from, path.to);
  const updated = await deps.db.transaction((tx) =>
    transition(tx, project, {
      to: 'UPGRADING',
      from: ['ACTIVE_HEALTHY'],
      actor: actor.id,
      action: 'project.upgrade.started',
      error: null,
      detail: { from: path.from, to: path.to },
      // Retries are the job's own (per step, then rollback); the runner's are for crashes.
      job: { id, kind: 'upgrade', projectId: project.id, payload: { ...state }, maxAttempts: 1000 },
    }),
  );
  if (!updated)
    throw new AppError('conflict', `Project ${project.ref} changed state meanwhile; try again`);
  deps.wakeJobs?.();
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, id));
  return { project: updated, job: job! };
}

export async function latestUpgradeJob(
  deps: Pick<Deps, 'db'>,
  projectId: number,
  trackingId?: string,
): Promise<Job | undefined> {
  const [job] = await deps.db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.projectId, projectId),
        eq(jobs.kind, 'upgrade'),
        ...(trackingId ? [eq(jobs.id, trackingId)] : []),
      ),
    )
    .orderBy(desc(jobs.createdAt))
    .limit(1);
  return job;
}

export interface UpgradeProgress {
  job: Job;
  state: UpgradeState;
  outcome: 'running' | 'succeeded' | 'rolled_back' | 'failed';
}

/** The latest (or the tracked) upgrade of a project, as its job records it. */
export async function upgradeProgress(
  deps: Pick<Deps, 'db'>,
  ref: string,
  trackingId?: string,
): Promise<{ project: Project; progress?: UpgradeProgress }> {
  const project = await getProjectByRef(deps, ref);
  const job = await latestUpgradeJob(deps, project.id, trackingId);
  if (!job || !isUpgradeState(job.payload)) return { project };
  const state = job.payload as unknown as UpgradeState;
  const outcome =
    job.state === 'dead'
      ? 'failed'
      : job.state !== 'succeeded'
        ? 'running'
        : state.phase === 'rollback'
          ? 'rolled_back'
          : 'succeeded';
  return { project, progress: { job, state, outcome } };
}
