import { sql } from 'drizzle-orm';
import { JobRunner, DEFAULT_RUNNER_OPTIONS } from '../src/jobs/runner.js';
import { DEFAULT_RECONCILE_OPTIONS, startReconciler } from '../src/reconciler/reconcile.js';
import { createOrganization } from '../src/organizations/organizations.js';
import { createProject } from '../src/projects/projects.js';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { benchDeps } from './lib/deps.js';
import type { BenchPostgres } from './lib/postgres.js';
import type { Figure } from './lib/report.js';

export interface BurstOptions {
  projects: number;
  latencyMs: number;
  coolifyLimitPerMinute: number;
  timeoutMs: number;
}

/**
 * N creates submitted at once against a Coolify that answers in `latencyMs` and
 * allows `coolifyLimitPerMinute`. Baseline: the wall time the rate limit alone
 * implies for the calls a create needs (group 2 + 3 per project).
 */
export async function provisioningBurst(pg: BenchPostgres, o: BurstOptions): Promise<Figure[]> {
  const sim = await startCoolifySim({
    latencyMs: o.latencyMs,
    rateLimitPerMinute: o.coolifyLimitPerMinute,
  });
  const { url, database } = await pg.freshDatabase();
  const deps = benchDeps(url, database, sim);
  const runner = new JobRunner(deps, { ...DEFAULT_RUNNER_OPTIONS, pollMs: 100 });
  deps.wakeJobs = runner.poke;
  runner.start();
  const reconciler = startReconciler(
    deps,
    deps.config.SUPAPLANE_RECONCILE_INTERVAL_MS,
    DEFAULT_RECONCILE_OPTIONS,
  );
  deps.wakeReconciler = reconciler.poke;
  try {
    const org = await createOrganization(deps, { name: 'Burst Org' });
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: o.projects }, (_, i) =>
        createProject(deps, {
          actor: { id: 'bench' },
          input: { organizationId: org.id, name: `burst ${i}` },
        }),
      ),
    );
    let counts: Record<string, number> = {};
    for (;;) {
      const rows = await deps.db.execute<{ status: string; n: number }>(
        sql`select status, count(*)::int as n from projects group by status`,
      );
      counts = Object.fromEntries([...rows].map((r) => [r.status, r.n]));
      const settled = (counts.ACTIVE_HEALTHY ?? 0) + (counts.INIT_FAILED ?? 0);
      if (settled === o.projects || performance.now() - t0 > o.timeoutMs) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const wallS = (performance.now() - t0) / 1000;
    const requiredCalls = 2 + 3 * o.projects;
    const lowerBoundS = (requiredCalls / o.coolifyLimitPerMinute) * 60;
    const ratio = wallS / lowerBoundS;
    const throttled = sim.calls.filter((c) => c.status === 429).length;
    const healthy = counts.ACTIVE_HEALTHY ?? 0;
    return [
      {
        bench: 'burst',
        metric: `projects ACTIVE_HEALTHY of ${o.projects}`,
        value: healthy,
        unit: '',
        goal: `= ${o.projects}`,
        pass: healthy === o.projects,
        correctness: true,
      },
      { bench: 'burst', metric: 'wall time', value: wallS, unit: 's', goal: 'report', pass: true },
      {
        bench: 'burst',
        metric: 'wall time / rate-limit lower bound',
        value: ratio,
        unit: '×',
        goal: '≤ 1.2',
        pass: ratio <= 1.2,
      },
      {
        bench: 'burst',
        metric: '429 answers from Coolify',
        value: throttled,
        unit: '',
        goal: 'no project failed by one',
        pass: (counts.INIT_FAILED ?? 0) === 0,
      },
      {
        bench: 'burst',
        metric: 'projects INIT_FAILED',
        value: counts.INIT_FAILED ?? 0,
        unit: '',
        goal: '= 0',
        pass: (counts.INIT_FAILED ?? 0) === 0,
        correctness: true,
      },
    ];
  } finally {
    await reconciler.stop();
    await runner.drain();
    await database.close();
    await sim.close();
  }
}
