import { asc, eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { projects, type Project } from '../db/schema/index.js';
import type { Actor } from '../projects/projects.js';
import { upgradePath } from './catalogue.js';
import { latestTarget, startUpgrade, upgradeProgress, type UpgradeProgress } from './service.js';

export type UpgradeOutcome = UpgradeProgress['outcome'] | 'skipped';

/** Projects that can move to `to` (or to their latest version) now, oldest first. */
export async function upgradeCandidates(deps: Pick<Deps, 'db'>, to?: string): Promise<Project[]> {
  const healthy = await deps.db
    .select()
    .from(projects)
    .where(eq(projects.status, 'ACTIVE_HEALTHY'))
    .orderBy(asc(projects.id));
  return healthy.filter((p) => {
    const target = to ?? latestTarget(p.templateVersion);
    return target !== undefined && upgradePath(p.templateVersion, target) !== undefined;
  });
}

/** Polls the project's latest upgrade until it is no longer running. */
export async function awaitUpgrade(
  deps: Pick<Deps, 'db'>,
  ref: string,
  opts: { pollMs: number; signal?: AbortSignal; onProgress?: (p: UpgradeProgress) => void },
): Promise<UpgradeProgress | undefined> {
  for (;;) {
    const { progress } = await upgradeProgress(deps, ref);
    if (progress) opts.onProgress?.(progress);
    if (!progress || progress.outcome !== 'running' || opts.signal?.aborted) return progress;
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}

/**
 * Upgrades every candidate, `parallel` at a time. The first upgrade that rolls back (or
 * fails) stops the batch: nothing new starts, the ones under way finish. Returns each
 * project's outcome, `skipped` for those never started.
 */
export async function upgradeAll(
  deps: Deps,
  opts: {
    actor: Actor;
    to?: string;
    parallel: number;
    pollMs: number;
    signal?: AbortSignal;
    onStart?: (p: Project) => void;
    onProgress?: (p: Project, progress: UpgradeProgress) => void;
    onDone?: (p: Project, outcome: UpgradeOutcome, progress?: UpgradeProgress) => void;
  },
): Promise<Map<string, UpgradeOutcome>> {
  const queue = await upgradeCandidates(deps, opts.to);
  const results = new Map<string, UpgradeOutcome>(queue.map((p) => [p.ref, 'skipped']));
  let stopped = false;
  const worker = async () => {
    for (let p = queue.shift(); p && !stopped && !opts.signal?.aborted; p = queue.shift()) {
      opts.onStart?.(p);
      await startUpgrade(deps, { actor: opts.actor, input: { ref: p.ref, to: opts.to } });
      const project = p;
      const progress = await awaitUpgrade(deps, p.ref, {
        pollMs: opts.pollMs,
        signal: opts.signal,
        onProgress: (pr) => opts.onProgress?.(project, pr),
      });
      const outcome = progress?.outcome ?? 'failed';
      results.set(p.ref, outcome);
      if (outcome !== 'succeeded') stopped = true;
      opts.onDone?.(p, outcome, progress);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
  return results;
}
