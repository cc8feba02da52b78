import type { Deps } from '../../context.js';
import type { Job, Project, ProjectStatus } from '../../db/schema/index.js';
import type { Provisioner } from '../../provisioner/provisioner.js';
import type { BackoffPolicy } from '../backoff.js';

/** A handler either finished, or is waiting for Coolify to finish something asynchronous. */
export type Outcome = { type: 'done' } | { type: 'wait'; delayMs: number; reason: string };

export const done: Outcome = { type: 'done' };
export const wait = (delayMs: number, reason: string): Outcome => ({
  type: 'wait',
  delayMs,
  reason,
});

export interface HandlerContext {
  deps: Deps;
  provisioner: Provisioner;
  job: Job;
  project: Project;
  /** Persists progress inside the job, so a resumed run knows what may already exist. */
  remember(patch: Record<string, unknown>): Promise<void>;
  /** The runner's retry policy, for handlers that retry steps themselves (upgrades). */
  backoff: BackoffPolicy;
}

export interface JobHandler {
  run(ctx: HandlerContext): Promise<Outcome>;
  /** The status a project lands in when this job dies, if it is still in `while`. */
  failure: { while: readonly ProjectStatus[]; to: ProjectStatus };
  /** How long the job may keep waiting on Coolify before it counts as failed. */
  waitBudgetMs: number;
  /**
   * False for work beside the project's lifecycle (backups): its retries are not shown as
   * the project's error and it does not keep the reconciler away (reconcile.ts `owned`).
   */
  ownsProject?: false;
}
