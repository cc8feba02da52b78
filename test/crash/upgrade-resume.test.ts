import { afterEach, describe, expect, it } from 'vitest';
import { startUpgrade } from '../../src/upgrades/service.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';
import {
  actor,
  auditActions,
  databaseFacts,
  secretsOf,
  startUpgradeRig,
  upgraded,
  v1Projects,
  type UpgradeRig,
} from '../upgrades/support.js';

// A worker process is SIGKILLed mid-upgrade (test/support/worker-main.ts TEST_CRASH_AFTER,
// right after Coolify accepted a call); another process resumes the job from the step its
// payload records. Never half-upgraded: the project ends wholly on one version.

let rig: UpgradeRig | undefined;
const workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await rig?.close();
  rig = undefined;
});

async function killedDuring(method: string, env: Record<string, string> = {}) {
  rig = await startUpgradeRig(env);
  const [p] = await v1Projects(rig, [`crash after ${method}`]);
  await rig.h.runner.drain(); // only the worker processes run jobs from here on
  const base = { ...rig.h.env, LOG_LEVEL: 'warn', SUPAPLANE_JOB_LEASE_MS: '1500' };
  const first = spawnWorker({ ...base, TEST_CRASH_AFTER: method });
  workers.push(first);
  await first.ready;
  await startUpgrade(rig.h.deps, { actor, input: { ref: p!.ref } });
  expect((await first.exited).signal).toBe('SIGKILL');
  const second = spawnWorker(base);
  workers.push(second);
  await second.ready;
  return { p: p!, done: await upgraded(rig.h, p!.ref, 60_000) };
}

describe('an upgrade survives its process being killed', () => {
  it('killed right after the new compose reached Coolify: resumed, ends on v2 with the migration applied', async () => {
    const { p, done } = await killedDuring('replaceCompose');
    expect(done).toMatchObject({
      status: 'ACTIVE_HEALTHY',
      templateVersion: 'v2',
      lastError: null,
    });
    const svc = rig!.h.sim.state.services.get(done.coolifyServiceUuid!)!;
    expect(svc.compose).toContain('image: supabase/gotrue:v2.196.0');
    expect(svc.compose).toContain('image: supabase/postgres:15.8.1.085');
    const facts = await databaseFacts(rig!, await secretsOf(rig!.h, p));
    expect(facts).toMatchObject({ jwtSecret: null, authenticatorNew: true });
    // The compose step ran twice (killed before it was recorded) but is audited once, as
    // every other step.
    const steps = (await auditActions(rig!.h, p)).filter((a) =>
      a.startsWith('project.upgrade.step:'),
    );
    expect(steps.filter((s) => s.endsWith(':compose'))).toHaveLength(1);
    expect(new Set(steps).size).toBe(steps.length);
  }, 120_000);

  it('killed mid-rollback (after the old compose went back): resumed, ends on v1', async () => {
    // v2 never becomes healthy, so the job rolls back; the second replaceCompose is the
    // rollback's (the first was the forward one).
    rig = await startUpgradeRig();
    const [p] = await v1Projects(rig, ['crash mid-rollback']);
    await rig.h.runner.drain();
    rig.h.sim.failImage('supabase/gotrue:v2.196.0', true);
    const base = { ...rig.h.env, LOG_LEVEL: 'warn', SUPAPLANE_JOB_LEASE_MS: '1500' };
    const first = spawnWorker({ ...base, TEST_CRASH_AFTER: 'replaceCompose:2' });
    workers.push(first);
    await first.ready;
    await startUpgrade(rig.h.deps, { actor, input: { ref: p!.ref } });
    expect((await first.exited).signal).toBe('SIGKILL');
    const second = spawnWorker(base);
    workers.push(second);
    await second.ready;
    const back = await upgraded(rig.h, p!.ref, 60_000);
    expect(back).toMatchObject({ status: 'ACTIVE_HEALTHY', templateVersion: 'v1' });
    expect(back.lastError).toMatch(/failed at step await-healthy/);
    const svc = rig.h.sim.state.services.get(back.coolifyServiceUuid!)!;
    expect(svc.compose).toContain('image: supabase/gotrue:v2.186.0');
    expect(await databaseFacts(rig, await secretsOf(rig.h, p!))).toMatchObject({
      jwtSecret: (await secretsOf(rig.h, p!)).JWT_SECRET,
      authenticatorOld: true,
    });
  }, 120_000);
});
