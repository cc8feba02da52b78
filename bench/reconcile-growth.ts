import { reconcileOnce, DEFAULT_RECONCILE_OPTIONS } from '../src/reconciler/reconcile.js';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { benchDeps } from './lib/deps.js';
import type { BenchPostgres } from './lib/postgres.js';
import { median, type Figure } from './lib/report.js';
import { seedHealthyProjects } from './lib/seed.js';

/**
 * Coolify calls and wall time per reconcile tick as the fleet grows. Goal: one
 * call per server at every size, time at most linear in projects, ≤ 1 s at the top.
 */
export async function reconcileGrowth(
  pg: BenchPostgres,
  sizes: number[],
  ticks = 5,
): Promise<Figure[]> {
  const perSize: { n: number; ms: number; calls: number; servers: number }[] = [];
  for (const n of sizes) {
    const sim = await startCoolifySim({ rateLimitPerMinute: 1e9 });
    const { url, database } = await pg.freshDatabase();
    try {
      await seedHealthyProjects(database, sim, n);
      const deps = benchDeps(url, database, sim);
      await reconcileOnce(deps); // warm caches and JIT
      sim.resetCalls();
      const times: number[] = [];
      for (let i = 0; i < ticks; i++) {
        const t0 = performance.now();
        const report = await reconcileOnce(deps, DEFAULT_RECONCILE_OPTIONS);
        times.push(performance.now() - t0);
        if (report.changes.length || report.probes)
          throw new Error('healthy fleet should not change');
      }
      perSize.push({
        n,
        ms: median(times),
        calls: sim.calls.length / ticks,
        servers: sim.state.servers.length,
      });
    } finally {
      await database.close();
      await sim.close();
    }
  }
  const base = perSize[0]!;
  const top = perSize[perSize.length - 1]!;
  return perSize.flatMap((s) => {
    // Time per project relative to the smallest size: ≤ 1 means growth is at most linear.
    const growth = s.ms / s.n / (base.ms / base.n);
    return [
      {
        bench: 'reconcile',
        metric: `calls/tick @${s.n}`,
        value: s.calls,
        unit: '',
        goal: `= ${s.servers} servers`,
        pass: s.calls === s.servers,
      },
      {
        bench: 'reconcile',
        metric: `tick time @${s.n}`,
        value: s.ms,
        unit: 'ms',
        goal: s === top ? '≤ 1000 ms' : 'report',
        pass: s !== top || s.ms <= 1000,
      },
      {
        bench: 'reconcile',
        metric: `per-project time ratio vs @${base.n} (@${s.n})`,
        value: growth,
        unit: '×',
        goal: '≤ 1.0 (at most linear)',
        pass: growth <= 1.0 || s === base,
      },
    ];
  });
}
