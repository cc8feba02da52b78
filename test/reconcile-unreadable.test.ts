import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectSecrets } from '../src/db/schema/index.js';
import { createProject } from '../src/projects/projects.js';
import type { FaultKind } from './coolify-sim/index.js';
import { startHarness, type Harness } from './support/harness.js';

// A server whose resource listing cannot be read tells us nothing about its projects:
// treating it as empty would mark every project on it REMOVED and destroy its secrets
// (audit mutant M14), and giving up on the whole pass would freeze every other server (M06).

const actor = { id: 'test' };
let h: Harness;
let unreadable: { ref: string; id: number; server: string };
let healthy: { ref: string; id: number };

beforeAll(async () => {
  h = await startHarness();
  const [a, b] = h.sim.state.servers;
  const onA = await createProject(h.deps, {
    actor,
    input: { organizationId: h.org.id, name: 'On A', serverUuid: a!.uuid },
  });
  const onB = await createProject(h.deps, {
    actor,
    input: { organizationId: h.org.id, name: 'On B', serverUuid: b!.uuid },
  });
  await h.settle(onA.ref, 'ACTIVE_HEALTHY');
  await h.settle(onB.ref, 'ACTIVE_HEALTHY');
  unreadable = { ref: onA.ref, id: onA.id, server: a!.uuid };
  healthy = { ref: onB.ref, id: onB.id };
});
afterAll(async () => {
  await h.close();
});

const secretsOf = (id: number) =>
  h.db.db.select().from(projectSecrets).where(eq(projectSecrets.projectId, id));

const KINDS: FaultKind[] = ['500', '503', '502', 'timeout', 'drop', 'garbage'];

describe('a server whose GET /servers/{uuid}/resources cannot be read', () => {
  for (const kind of KINDS) {
    it(`${kind}: leaves its projects and secrets untouched while other servers reconcile`, async () => {
      const before = await h.project(unreadable.ref);
      const secretsBefore = await secretsOf(unreadable.id);
      expect(secretsBefore).toHaveLength(1);
      const other = h.sim.servicesByTag(healthy.ref)[0]!;
      h.sim.operatorStop(other.uuid);
      h.sim.inject({
        method: 'GET',
        path: `/servers/${unreadable.server}/resources`,
        kind,
        times: Infinity,
        delayMs: 1000,
      });
      h.sim.resetCalls();
      try {
        for (let tick = 0; tick < 3; tick++) {
          const report = await h.reconcile();
          expect(report.failedServers).toEqual([unreadable.server]);
          expect(report.changes.map((c) => c.ref)).not.toContain(unreadable.ref);
        }
        // M06: the readable server was still reconciled in the same passes.
        expect((await h.project(healthy.ref)).status).toBe('INACTIVE');
        const after = await h.project(unreadable.ref);
        expect(after.status).toBe('ACTIVE_HEALTHY');
        expect(after.statusChangedAt).toEqual(before.statusChangedAt);
        expect(after.lastError).toBeNull();
        expect(await secretsOf(unreadable.id)).toEqual(secretsBefore);
        expect(h.sim.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
        expect(h.sim.calls.some((c) => c.fault === kind)).toBe(true);
      } finally {
        h.sim.clearFaults();
      }
      // Once the listing reads again, the project is seen as it is.
      // The operator starts the stopped stack again from Coolify (a queued start job).
      const started = await fetch(`${h.sim.apiUrl}/services/${other.uuid}/start`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${h.sim.token}` },
      });
      expect(started.status).toBe(200);
      await h.settle(healthy.ref, 'ACTIVE_HEALTHY');
      const report = await h.reconcile();
      expect(report.failedServers).toEqual([]);
      expect((await h.project(unreadable.ref)).status).toBe('ACTIVE_HEALTHY');
    });
  }
});
