import { afterEach, describe, expect, it } from 'vitest';
import { createProject } from '../src/projects/projects.js';
import { startHarness, type Harness } from './support/harness.js';
import { spawnWorker, type WorkerProcess } from './support/worker-process.js';

const actor = { id: 'test' };
let h: Harness | undefined;
const workers: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await h?.close();
  h = undefined;
});

const POST_SERVICES = (h: Harness) =>
  h.sim.calls.filter((c) => c.method === 'POST' && c.route === '/services');

describe('several processes on one database', () => {
  it('two worker processes creating 50 projects cause exactly 50 Coolify service creations', async () => {
    h = await startHarness({ startRunner: false, sim: { rateLimitPerMinute: 100_000 } });
    const env = {
      ...h.env,
      // This test is about claiming, not timeouts: two busy processes on two cores can be slow.
      COOLIFY_TIMEOUT_MS: '10000',
      // Nor about the request budget, which both processes now share through Postgres.
      COOLIFY_RATE_LIMIT_PER_MINUTE: '100000',
      SUPAPLANE_JOB_POLL_MS: '20',
      SUPAPLANE_WORKER_CONCURRENCY: '8',
      LOG_LEVEL: 'warn',
    };
    workers.push(spawnWorker(env), spawnWorker(env));
    await Promise.all(workers.map((w) => w.ready));
    const refs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        createProject(h!.deps, {
          actor,
          input: { organizationId: h!.org.id, name: `bulk ${i}` },
        }).then((p) => p.ref),
      ),
    );
    await h.jobsIdle();
    expect(POST_SERVICES(h)).toHaveLength(50);
    expect(h.sim.state.services.size).toBe(50);
    expect(h.sim.state.projects.size).toBe(1);
    for (const ref of refs) expect(h.sim.servicesByTag(ref)).toHaveLength(1);
    // Both processes really took part.
    const { jobs } = await import('../src/db/schema/index.js');
    const finishers = await h.db.db.selectDistinct({ by: jobs.lockedBy }).from(jobs);
    expect(finishers).toHaveLength(2);
  });
});

describe('a worker killed after each step of create', () => {
  for (const step of ['ensureGroup', 'createStack', 'applyEnv', 'start'] as const) {
    it(`resumes after a kill following ${step}, with exactly one Coolify service`, async () => {
      h = await startHarness({ startRunner: false });
      const p = await createProject(h.deps, {
        actor,
        input: { organizationId: h.org.id, name: `killed ${step}` },
      });
      const victim = spawnWorker({
        ...h.env,
        TEST_CRASH_AFTER: step,
        SUPAPLANE_JOB_LEASE_MS: '300',
        SUPAPLANE_JOB_POLL_MS: '20',
      });
      workers.push(victim);
      const { signal } = await victim.exited;
      expect(signal).toBe('SIGKILL');
      h.runner.start(); // the survivor claims the job once the dead worker's lease runs out
      await h.settle(p.ref, 'ACTIVE_HEALTHY');
      expect(h.sim.servicesByTag(p.ref)).toHaveLength(1);
      expect(h.sim.state.services.size).toBe(1);
      expect(h.sim.state.projects.size).toBe(1);
    });
  }
});
