import { afterEach, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/projects.js';
import { startHarness, waitFor, type Harness } from '../support/harness.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

const actor = { id: 'test' };
let h: Harness | undefined;
const workers: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await h?.close();
  h = undefined;
});

describe('jobs after a SIGKILL, at default lease and poll settings', () => {
  it('20 creates in flight, SIGKILL, restart: all ACTIVE_HEALTHY within 60 s, one Coolify service each', async () => {
    h = await startHarness({ startRunner: false, sim: { latencyMs: 30 } });
    // No SUPAPLANE_JOB_LEASE_MS / SUPAPLANE_JOB_POLL_MS: the defaults are what is tested.
    const env = { ...h.env, LOG_LEVEL: 'warn', COOLIFY_TIMEOUT_MS: '5000' };
    const first = spawnWorker(env);
    workers.push(first);
    await first.ready;
    const refs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createProject(h!.deps, {
          actor,
          input: { organizationId: h!.org.id, name: `crash ${i}` },
        }).then((p) => p.ref),
      ),
    );
    const creates = () =>
      h!.sim.calls.filter((c) => c.method === 'POST' && c.route === '/services').length;
    await waitFor(async () => creates() >= 6, 30_000, 'creates under way');
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(creates()).toBeLessThan(20); // killed with creates still to come

    const restarted = performance.now();
    const second = spawnWorker(env);
    workers.push(second);
    await second.ready;
    for (const ref of refs) {
      const left = 60_000 - (performance.now() - restarted);
      await h.settle(ref, 'ACTIVE_HEALTHY', Math.max(1, left));
    }
    const took = performance.now() - restarted;
    console.log(`20 projects ACTIVE_HEALTHY ${Math.round(took)} ms after the restart`);
    expect(took).toBeLessThan(60_000);
    for (const ref of refs) expect(h.sim.servicesByTag(ref), ref).toHaveLength(1);
    expect(h.sim.state.services.size).toBe(20);
    expect(h.sim.state.projects.size).toBe(1);
  }, 120_000);
});
