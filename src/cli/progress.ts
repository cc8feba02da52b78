import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { jobs, type Project, type ProjectStatus } from '../db/schema/index.js';
import { getProjectByRef } from '../projects/projects.js';
import type { CliIo } from './io.js';

export type Operation = 'create' | 'pause' | 'restore' | 'restart' | 'delete';

/** Where each operation ends: the status that means done, and those that mean it failed. */
export const SETTLED: Record<Operation, { ok: ProjectStatus; failed: ProjectStatus[] }> = {
  create: { ok: 'ACTIVE_HEALTHY', failed: ['INIT_FAILED', 'REMOVED', 'GOING_DOWN'] },
  pause: { ok: 'INACTIVE', failed: ['PAUSE_FAILED', 'REMOVED', 'GOING_DOWN'] },
  restore: { ok: 'ACTIVE_HEALTHY', failed: ['RESTORE_FAILED', 'REMOVED', 'GOING_DOWN'] },
  restart: { ok: 'ACTIVE_HEALTHY', failed: ['ACTIVE_UNHEALTHY', 'REMOVED', 'GOING_DOWN'] },
  delete: { ok: 'REMOVED', failed: ['UNKNOWN'] },
};

export type WatchResult =
  | { type: 'ok'; project: Project }
  | { type: 'failed'; project: Project }
  | { type: 'timeout'; project: Project }
  | { type: 'interrupted'; project: Project };

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Follows a project until its operation settles. On a terminal: one status line
 * redrawn in place with a spinner; otherwise (pipes, CI, logs): a plain line
 * each time the status or its explanation changes.
 */
export async function watchProject(
  deps: Pick<Deps, 'db'>,
  io: CliIo,
  ref: string,
  operation: Operation,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<WatchResult> {
  const target = SETTLED[operation];
  const tty = Boolean(io.stderr.isTTY);
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  let frame = 0;
  let current = '';
  let lastPrinted = '';
  const draw = () => io.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`);
  const spinner = tty ? setInterval(draw, 120) : undefined;
  try {
    for (;;) {
      const project = await getProjectByRef(deps, ref);
      const detail = await explain(deps, project);
      current = `${ref} ${project.status}${detail ? ` · ${detail}` : ''} · ${elapsed()}`;
      const state = `${project.status}|${detail}`;
      if (tty) draw();
      else if (state !== lastPrinted) io.stderr.write(`${current}\n`);
      lastPrinted = state;
      const done: WatchResult['type'] | undefined =
        project.status === target.ok
          ? 'ok'
          : target.failed.includes(project.status)
            ? 'failed'
            : options.signal?.aborted
              ? 'interrupted'
              : Date.now() - started > options.timeoutMs
                ? 'timeout'
                : undefined;
      if (done) return { type: done, project } as WatchResult;
      await sleep(io.pollMs ?? 500, options.signal);
    }
  } finally {
    if (spinner) clearInterval(spinner);
    if (tty) io.stderr.write('\r\x1b[2K');
  }
}

/** What the project is waiting on: its last error, or the job's retry count. */
async function explain(deps: Pick<Deps, 'db'>, project: Project): Promise<string> {
  const [job] = await deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.projectId, project.id), inArray(jobs.state, ['queued', 'running'])))
    .orderBy(desc(jobs.createdAt))
    .limit(1);
  const parts: string[] = [];
  if (job)
    parts.push(
      `${job.kind} job ${job.state}${job.attempts ? `, attempt ${job.attempts + 1}` : ''}`,
    );
  const error = job?.lastError ?? project.lastError;
  if (error) parts.push(error.length > 160 ? `${error.slice(0, 157)}…` : error);
  return parts.join(' · ');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
