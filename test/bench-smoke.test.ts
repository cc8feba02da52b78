import { describe, expect, it } from 'vitest';
import { runBenchmarks } from '../bench/run.js';

// Keeps the benchmark harness from rotting: every scenario runs at tiny sizes and
// reports its figures. It asserts that the harness works, not how fast anything is.
describe('benchmark harness (smoke)', () => {
  it('runs every scenario and reports figures', async () => {
    const figures = await runBenchmarks(true);
    const errors = figures.filter((f) => f.metric.startsWith('error:'));
    expect(errors).toEqual([]);
    const benches = new Set(figures.map((f) => f.bench));
    for (const b of ['burst', 'reconcile', 'hot-reads', 'memory', 'startup', 'limits'])
      expect(benches).toContain(b);
    for (const f of figures) expect(Number.isFinite(f.value), f.metric).toBe(true);
  }, 240_000);
});
