import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../bench/run.js';

// Keeps the benchmark harness from rotting: every scenario runs at tiny sizes and
// reports its figures. It asserts that the harness works and that its correctness
// figures hold, not how fast anything is.
describe('benchmark harness (smoke)', () => {
  it('runs every scenario and reports figures', async () => {
    const figures = await runBenchmarks(true);
    const errors = figures.filter((f) => f.metric.startsWith('error:'));
    expect(errors).toEqual([]);
    const benches = new Set(figures.map((f) => f.bench));
    for (const b of ['burst', 'reconcile', 'hot-reads', 'memory', 'startup', 'limits'])
      expect(benches).toContain(b);
    for (const f of figures) expect(Number.isFinite(f.value), f.metric).toBe(true);
    // Speed goals may miss at these sizes; correctness may not: every project of the
    // burst healthy (none INIT_FAILED), and no hot read failing under load.
    const correctness = figures.filter((f) => f.correctness);
    const metrics = correctness.map((f) => `${f.bench}: ${f.metric}`);
    expect(metrics).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^burst: projects ACTIVE_HEALTHY of [1-9]/),
        'burst: projects INIT_FAILED',
        expect.stringMatching(/^hot-reads: .*: errors and non-2xx answers$/),
      ]),
    );
    for (const f of correctness) expect(f.pass, `${f.bench}: ${f.metric} = ${f.value}`).toBe(true);
  }, 240_000);
});
