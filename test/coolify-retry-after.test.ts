import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { CoolifyClient } from '../src/coolify/client.js';
import { jobs } from '../src/db/schema/index.js';
import { createProject } from '../src/projects/projects.js';
import { startCoolifySim, type CoolifySim } from './coolify-sim/index.js';
import { startHarness, waitFor, type Harness } from './support/harness.js';

// Coolify's throttle answers 429 with Retry-After (Laravel ThrottleRequests, see
// shared/reference/coolify/API-NOTES.md); every caller of the token must then hold off,
// not only the request that was refused (audit mutants M17 and M07).

let sim: CoolifySim | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await sim?.close();
  await h?.close();
  sim = h = undefined;
});

describe('Retry-After', () => {
  it('pauses every request of the client for the announced time', async () => {
    sim = await startCoolifySim();
    const client = new CoolifyClient({
      baseUrl: sim.url,
      token: sim.token,
      timeoutMs: 2000,
      requestsPerMinute: 1000,
    });
    sim.inject({ method: 'GET', path: '/servers', kind: '429', retryAfterSeconds: 2 });
    const refusedAt = Date.now();
    await expect(client.listServers()).rejects.toMatchObject({ status: 429, retryAfterMs: 2000 });
    const before = sim.calls.length;
    const done: number[] = [];
    const pending = [
      ...Array.from({ length: 4 }, () => client.listServers()),
      client.version(),
      client.listProjects(),
    ].map((p) => p.then(() => done.push(Date.now())));

    await new Promise((r) => setTimeout(r, 1500));
    // Nothing reached Coolify inside the pause window.
    expect(sim.calls.length - before).toBe(0);
    await Promise.all(pending);
    expect(sim.calls.length - before).toBe(6);
    for (const at of done) expect(at - refusedAt).toBeGreaterThanOrEqual(1900);
  });

  it('a job refused with 429 is not retried before Retry-After', async () => {
    h = await startHarness();
    h.sim.inject({ method: 'GET', path: '/projects', kind: '429', retryAfterSeconds: 3 });
    const p = await createProject(h.deps, {
      actor: { id: 'test' },
      input: { organizationId: h.org.id, name: 'Throttled' },
    });
    const job = await waitFor(async () => {
      const [row] = await h!.db.db.select().from(jobs).where(eq(jobs.projectId, p.id));
      return row?.attempts === 1 ? row : undefined;
    }, 5000);
    expect(job.lastError).toMatch(/429/);
    // The runner's own backoff is at most 200 ms here; the reschedule honours the 3 s.
    expect(job.runAt.getTime() - job.updatedAt.getTime()).toBeGreaterThanOrEqual(2900);
    await h.settle(p.ref, 'ACTIVE_HEALTHY', 20_000);
  });
});
