import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { projects, type Job } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { describeError } from '../log.js';
import { isCoolifyError } from '../coolify/errors.js';
import { transition } from '../projects/transitions.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { HANDLERS } from './handlers/index.js';
import type { JobHandler, Outcome } from './handlers/types.js';
import {
  bury,
  claim,
  renewLeases,
  reschedule,
  savePayload,
  succeed,
  type JobKind,
} from './queue.js';

export interface RunnerOptions {
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  backoff: BackoffPolicy;
  workerId?: string;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  concurrency: 8,
  pollMs: 500,
  // Short, and renewed every third of it while the job runs (as graphile-worker and
  // trigger.dev do), so a crashed worker's jobs are picked up within seconds, not minutes.
  leaseMs: 30_000,
  backoff: { baseMs: 1000, maxMs: 60_000 },
};

/** Outcomes per job kind, for metrics. */
export type JobEvent = { kind: string; outcome: 'succeeded' | 'retried' | 'waiting' | 'dead' };

/**
 * Claims due jobs and runs them with bounded concurrency. Several runners (in
 * one or many processes) may share the table; `drain()` stops claiming and
 * waits for the jobs in hand, for a graceful shutdown.
 */
export class JobRunner {
  readonly workerId: string;
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of the jobs in flight, whose leases the heartbeat renews. */
  private readonly held = new Set<string>();
  private heartbeat?: NodeJS.Timeout;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  onEvent?: (e: JobEvent) => void;

  constructor(
    private readonly deps: Deps,
    private readonly options: RunnerOptions = DEFAULT_RUNNER_OPTIONS,
  ) {
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  get size(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.pollLoop();
    this.heartbeat = setInterval(() => void this.renew(), Math.max(100, this.options.leaseMs / 3));
    this.heartbeat.unref();
  }

  private async renew(): Promise<void> {
    try {
      await renewLeases(this.deps.db, this.workerId, [...this.held], this.options.leaseMs);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, 'job lease renewal failed');
    }
  }

  /** Runs due jobs now instead of at the next poll. */
  poke = (): void => this.wake?.();

  async drain(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    clearInterval(this.heartbeat);
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed: Job[] = [];
      try {
        claimed = await claim(this.deps.db, this.workerId, free, this.options.leaseMs);
      } catch (err) {
        this.deps.log.error(describeError(err), 'job claim failed');
      }
      for (const job of claimed) {
        this.held.add(job.id);
        const p = this.execute(job).finally(() => {
          this.held.delete(job.id);
          this.inFlight.delete(p);
          this.wake?.();
        });
        this.inFlight.add(p);
      }
      if (claimed.length && this.inFlight.size < this.options.concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async execute(job: Job): Promise<void> {
    const handler = HANDLERS[job.kind as JobKind];
    const log = this.deps.log.child({ job: job.id, kind: job.kind });
    try {
      if (!handler) throw new AppError('internal', `no handler for job kind ${job.kind}`);
      const outcome = await this.runHandler(handler, job);
      if (outcome.type === 'done') {
        await succeed(this.deps.db, job);
        this.emit(job, 'succeeded');
        // The project now waits on Coolify; look again soon rather than at the next interval.
        this.deps.wakeReconciler?.();
        return;
      }
      const deadline = job.deadlineAt ?? new Date(Date.now() + handler.waitBudgetMs);
      if (Date.now() > deadline.getTime()) {
        await this.fail(handler, job, `gave up waiting: ${outcome.reason}`);
        return;
      }
      await reschedule(this.deps.db, job, {
        delayMs: outcome.delayMs,
        countAttempt: false,
        deadlineAt: deadline,
      });
      this.emit(job, 'waiting');
    } catch (err) {
      const message = describe(err);
      const retryable = isCoolifyError(err) ? err.retryable : !(err instanceof AppError);
      if (!retryable || job.attempts + 1 >= job.maxAttempts) {
        log.warn({ error: message, attempts: job.attempts + 1 }, 'job failed for good');
        await this.fail(handler, job, message);
        return;
      }
      const delay = Math.max(
        backoffDelay(job.attempts, this.options.backoff),
        isCoolifyError(err) ? (err.retryAfterMs ?? 0) : 0,
      );
      log.info({ error: message, attempt: job.attempts + 1, retryInMs: delay }, 'job will retry');
      await this.deps.db.transaction(async (tx) => {
        await reschedule(tx, job, { delayMs: delay, error: message, countAttempt: true });
        // Shown on the project while retrying, so a stuck create explains itself.
        if (job.projectId && handler?.ownsProject !== false) {
          await tx
            .update(projects)
            .set({ lastError: message })
            .where(eq(projects.id, job.projectId));
        }
      });
      this.emit(job, 'retried');
    }
  }

  private async runHandler(handler: JobHandler, job: Job): Promise<Outcome> {
    const provisioner = this.deps.provisioner;
    if (!provisioner) {
      throw new AppError(
        'precondition',
        'Coolify is not configured: set COOLIFY_URL and COOLIFY_TOKEN',
      );
    }
    const [project] = job.projectId
      ? await this.deps.db.select().from(projects).where(eq(projects.id, job.projectId))
      : [];
    if (!project) return { type: 'done' };
    return handler.run({
      deps: this.deps,
      provisioner,
      job,
      project,
      remember: (patch) => savePayload(this.deps.db, job, { ...job.payload, ...patch }),
      backoff: this.options.backoff,
    });
  }

  /** Buries the job and moves its project to the failure status, in one transaction. */
  private async fail(handler: JobHandler | undefined, job: Job, error: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await bury(tx, job, error);
      if (!handler || !job.projectId) return;
      const [project] = await tx.select().from(projects).where(eq(projects.id, job.projectId));
      if (!project || !handler.failure.while.includes(project.status)) return;
      await transition(tx, project, {
        to: handler.failure.to,
        from: handler.failure.while,
        actor: 'system',
        action: `job.${job.kind}.failed`,
        error,
      });
    });
    this.emit(job, 'dead');
  }

  private emit(job: Job, outcome: JobEvent['outcome']) {
    this.onEvent?.({ kind: job.kind, outcome });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
