import { afterEach, describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/runner.js';
import type { Provisioner } from '../../src/provisioner/provisioner.js';
import { createProject } from '../../src/projects/projects.js';
import { FAST_RUNNER, startHarness, type Harness } from '../support/harness.js';

const actor = { id: 'test' };
let h: Harness | undefined;
let other: JobRunner | undefined;
afterEach(async () => {
  await other?.drain();
  await h?.close();
});

describe('job leases', () => {
  it('a job running for many lease periods keeps its lease: no second worker runs it', async () => {
    let starts = 0;
    const slowStart = (p: Provisioner): Provisioner =>
      new Proxy(p, {
        get: (target, prop, receiver) =>
          prop === 'start'
            ? async (id: string) => {
                starts++;
                await new Promise((r) => setTimeout(r, 1500)); // five leases of 300 ms
                return target.start(id);
              }
            : Reflect.get(target, prop, receiver),
      });
    const runner = { ...FAST_RUNNER, leaseMs: 300 };
    h = await startHarness({ wrapProvisioner: slowStart, runner });
    other = new JobRunner(h.deps, runner);
    other.start();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Slow start' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    expect(starts).toBe(1);
  });
});
