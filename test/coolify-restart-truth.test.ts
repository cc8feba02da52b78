// D2 of the Coolify audit, on the simulator's default (queued, stale-status) model.
import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../src/db/schema/index.js';
import { createProject, restartProject } from '../src/projects/projects.js';
import { startHarness, type Harness } from './support/harness.js';

const actor = { id: 'test' };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const trail = async (h: Harness, projectId: number) =>
  (
    await h.db.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.projectId, projectId))
      .orderBy(asc(auditLog.id))
  ).map((a) => a.toStatus);

describe('restart truth (audit D2; RestartService.php:16-20, StopService.php:52-53, ServerManagerJob.php:31 @379abb25)', () => {
  it('goes RESTARTING → ACTIVE_HEALTHY only once Coolify reports the new containers, never INACTIVE', async () => {
    h = await startHarness();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Restarted' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const svc = h.sim.servicesByTag(p.ref)[0]!;
    const upsBefore = svc.runtime!.composeUps;
    await restartProject(h.deps, { actor, input: { ref: p.ref } });

    // Reconcile much faster than Coolify refreshes statuses, as a 15 s tick against 60 s would.
    let promotedWhileNewReported: boolean | undefined;
    let settledAt: number | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      await h.reconcile();
      // Read after the pass: on a loaded machine the new containers may come up during a
      // slow pass. A premature promotion is still caught, since the sim keeps the old
      // status for at least its queue + refresh time (≥ 95 ms), far longer than a pass.
      const newReported = svc.runtime!.composeUps > upsBefore && svc.status === 'running:healthy';
      const status = (await h.project(p.ref)).status;
      if (status === 'ACTIVE_HEALTHY' && promotedWhileNewReported === undefined) {
        promotedWhileNewReported = newReported;
        settledAt = Date.now();
      }
      // Keep watching a while: a stale `exited` would come after a premature promotion.
      if (settledAt && Date.now() - settledAt > 400) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(promotedWhileNewReported).toBe(true);
    const after = await trail(h, p.id);
    expect(after.slice(after.lastIndexOf('RESTARTING'))).toEqual(['RESTARTING', 'ACTIVE_HEALTHY']);
    expect(svc.runtime!.composeUps).toBe(upsBefore + 1);
  });

  it('a stop made in Coolify after the restart settled is still noticed', async () => {
    h = await startHarness();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Stopped later' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    await restartProject(h.deps, { actor, input: { ref: p.ref } });
    await h.jobsIdle();
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    h.sim.operatorStop(h.sim.servicesByTag(p.ref)[0]!.uuid);
    await h.settle(p.ref, 'INACTIVE');
  });
});
