import { eq } from 'drizzle-orm';
import { isCoolifyError } from '../coolify/errors.js';
import { auditLog, projects } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { backoffDelay } from '../jobs/backoff.js';
import {
  done,
  wait,
  type HandlerContext,
  type JobHandler,
  type Outcome,
} from '../jobs/handlers/types.js';
import { upgradePath } from './catalogue.js';
import { auditStep, finishUpgrade } from './finish.js';
import { MigrationFailed } from './migration.js';
import {
  isUpgradeState,
  nextStep,
  rollbackStart,
  type UpgradeState,
  type UpgradeStep,
} from './state.js';
import { awaitDatabase, migrate, takeBackup, takeDeferredBackup, unmigrate } from './steps-db.js';
import { addSecrets, applyEnv, replaceCompose } from './steps-stack.js';
import {
  awaitHealthy,
  startStack,
  StepFailed,
  stopStack,
  type StepContext,
  type StepResult,
} from './steps.js';

const STEPS: Record<UpgradeStep, (ctx: StepContext) => Promise<StepResult>> = {
  backup: takeBackup,
  secrets: addSecrets,
  stop: stopStack,
  compose: replaceCompose,
  env: applyEnv,
  start: startStack,
  'await-db': awaitDatabase,
  'deferred-backup': takeDeferredBackup,
  migrate,
  'await-healthy': awaitHealthy,
  unmigrate,
  finish: finishUpgrade,
};

/** Tries of one forward step against a passing fault (Coolify 5xx, a timeout) before rolling back. */
const FORWARD_TRIES = 4;

/** Failures retrying cannot fix: the forward phase rolls back on the first one. */
const isFinal = (err: unknown) =>
  err instanceof StepFailed ||
  err instanceof MigrationFailed ||
  err instanceof AppError ||
  (isCoolifyError(err) && !err.retryable);

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * upgrade: moves a project's stack to another template version step by step
 * (state.ts), persisting the step in the job so a restarted process resumes it. Any
 * forward step that fails for good, or waits past SUPAPLANE_UPGRADE_STEP_TIMEOUT_MS,
 * turns the job into its rollback, which ends ACTIVE_HEALTHY on the old version with the
 * failure on the project. The job owns the project throughout (the reconciler skips it).
 */
export const upgradeHandler: JobHandler = {
  // Only a rollback that itself cannot finish lands here.
  failure: { while: ['UPGRADING'], to: 'ACTIVE_UNHEALTHY' },
  waitBudgetMs: 6 * 60 * 60_000,
  async run(hctx) {
    if (hctx.project.status !== 'UPGRADING') return done;
    if (!isUpgradeState(hctx.job.payload))
      throw new AppError('internal', 'upgrade job without state');
    const state = hctx.job.payload as unknown as UpgradeState;
    const path = upgradePath(state.from, state.to);
    if (!path) throw new AppError('internal', `no upgrade path ${state.from} → ${state.to}`);
    const ctx: StepContext = {
      deps: hctx.deps,
      provisioner: hctx.provisioner,
      project: hctx.project,
      state,
      path,
      remember: async (patch) => {
        Object.assign(state, patch);
        await hctx.remember(patch as Record<string, unknown>);
      },
    };
    for (;;) {
      let result: StepResult;
      try {
        result = await STEPS[state.step](ctx);
      } catch (err) {
        const outcome = await onError(hctx, ctx, err);
        if (outcome) return outcome;
        continue;
      }
      if (result.type === 'wait') return wait(result.delayMs, result.reason);
      await auditStep(ctx);
      const following = nextStep(state);
      if (!following) return done;
      await ctx.remember({ step: following, stepSince: Date.now(), attempts: 0, stopAsked: false });
    }
  },
};

/** Retry, switch to the rollback (undefined: go on at once), or give up for good (throws). */
async function onError(
  hctx: HandlerContext,
  ctx: StepContext,
  err: unknown,
): Promise<Outcome | undefined> {
  const { state } = ctx;
  const message = describe(err);
  const log = hctx.deps.log.child({ job: hctx.job.id, ref: ctx.project.ref, step: state.step });
  if (state.phase === 'rollback') {
    if (isFinal(err)) {
      throw new AppError(
        'internal',
        `Upgrade from ${state.from} to ${state.to} failed at step ${state.failedStep} (${state.error}); ` +
          `the rollback failed too at step ${state.step}: ${message}`,
      );
    }
    log.warn({ error: message }, 'upgrade rollback step will retry');
    await ctx.remember({ attempts: state.attempts + 1 });
    return wait(backoffDelay(state.attempts, hctx.backoff), message);
  }
  if (!isFinal(err) && state.attempts + 1 < FORWARD_TRIES) {
    log.info({ error: message, attempt: state.attempts + 1 }, 'upgrade step will retry');
    await ctx.remember({ attempts: state.attempts + 1 });
    return wait(backoffDelay(state.attempts, hctx.backoff), message);
  }
  log.warn({ error: message }, 'upgrade step failed: rolling back');
  await hctx.deps.db.transaction(async (tx) => {
    await tx.update(projects).set({ lastError: message }).where(eq(projects.id, ctx.project.id));
    await tx.insert(auditLog).values({
      actor: 'system',
      action: 'project.upgrade.failed',
      organizationId: ctx.project.organizationId,
      projectId: ctx.project.id,
      detail: { step: state.step, from: state.from, to: state.to, error: message },
    });
  });
  await ctx.remember({
    phase: 'rollback',
    failedStep: state.step,
    error: message,
    step: rollbackStart(state.step),
    stepSince: Date.now(),
    attempts: 0,
    stopAsked: false,
  });
  return undefined;
}
