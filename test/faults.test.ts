import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { jobs, projectSecrets } from '../src/db/schema/index.js';
import { loadProjectSecrets } from '../src/secrets/store.js';
import { createOrganization } from '../src/organizations/organizations.js';
import {
  createProject,
  deleteProject,
  pauseProject,
  restartProject,
  restoreProject,
} from '../src/projects/projects.js';
import type { FaultKind } from './coolify-sim/index.js';
import { startHarness, type Harness } from './support/harness.js';

const actor = { id: 'test' };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every Coolify call a create makes, in order. */
const CREATE_STEPS = [
  { method: 'GET', path: '/projects' },
  { method: 'POST', path: '/projects' },
  { method: 'POST', path: '/services' },
  { method: 'PATCH', path: '/services/{uuid}/envs/bulk' },
  { method: 'POST', path: '/services/{uuid}/start' },
] as const;

const KINDS: FaultKind[] = ['500', '503', 'timeout', '429', 'drop'];

/** A job that failed for good is buried: dead, finished, with the error that ended it (M03). */
async function expectBuried(h: Harness, projectId: number, error: RegExp) {
  const rows = await h.db.db.select().from(jobs).where(eq(jobs.projectId, projectId));
  expect(rows).toHaveLength(1);
  const [job] = rows;
  expect(job).toMatchObject({ kind: 'create', state: 'dead', lockedUntil: null });
  expect(job!.lastError).toMatch(error);
  expect(job!.finishedAt).toBeInstanceOf(Date);
  expect(job!.finishedAt!.getTime()).toBeGreaterThanOrEqual(job!.createdAt.getTime());
}

/** No secret of any project may appear in a log line. */
async function expectNoSecretInLogs(h: Harness) {
  const rows = await h.db.db.select({ id: projectSecrets.projectId }).from(projectSecrets);
  for (const { id } of rows) {
    const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, id))!;
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'DASHBOARD_USERNAME') continue;
      for (const line of h.logLines)
        expect(line.includes(value), `${name} leaked into a log line`).toBe(false);
    }
  }
}

describe('faults injected at every create step are retried and converge', () => {
  for (const step of CREATE_STEPS) {
    it(`${step.method} ${step.path}: ${KINDS.join(', ')}`, async () => {
      h = await startHarness();
      for (const kind of KINDS) {
        h.sim.inject({
          method: step.method,
          path: step.path,
          kind,
          times: 1,
          retryAfterSeconds: 1,
        });
        // A fresh organization each time, so the group steps (GET/POST /projects) run too.
        const org = await createOrganization(h.deps, {
          name: `Org ${kind} ${step.method} ${step.path}`,
        });
        const p = await createProject(h.deps, {
          actor,
          input: { organizationId: org.id, name: `${kind} at ${step.path}` },
        });
        await h.settle(p.ref, 'ACTIVE_HEALTHY', 20_000);
        expect(h.sim.servicesByTag(p.ref)).toHaveLength(1);
        expect(h.sim.calls.some((c) => c.fault === kind)).toBe(true);
      }
      expect(h.sim.state.projects.size).toBe(KINDS.length);
      expect(h.sim.state.services.size).toBe(KINDS.length);
      await expectNoSecretInLogs(h);
    });
  }

  it('a lost answer to POST /services does not create a second service', async () => {
    h = await startHarness();
    h.sim.inject({ method: 'POST', path: '/services', kind: '502', after: true });
    h.sim.inject({ method: 'POST', path: '/projects', kind: 'timeout', after: true });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Lost answer' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    expect(h.sim.calls.filter((c) => c.method === 'POST' && c.route === '/services')).toHaveLength(
      1,
    );
    expect(h.sim.servicesByTag(p.ref)).toHaveLength(1);
    expect(h.sim.state.projects.size).toBe(1);
  });

  it('Coolify unreachable past the budget ends in INIT_FAILED with a readable error', async () => {
    h = await startHarness({ runner: { backoff: { baseMs: 5, maxMs: 20 } } });
    h.sim.inject({ path: '/projects', kind: '503', times: Infinity });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Doomed' },
    });
    const failed = await h.settle(p.ref, 'INIT_FAILED', 20_000);
    expect(failed.lastError).toMatch(/Coolify GET \/projects → 503/);
    await expectBuried(h, p.id, /Coolify GET \/projects → 503/);
    await expectNoSecretInLogs(h);
  });

  it('a final 4xx fails at once without retrying', async () => {
    h = await startHarness({ env: { COOLIFY_TOKEN: 'wrong-token' } });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Bad token' },
    });
    const failed = await h.settle(p.ref, 'INIT_FAILED');
    expect(failed.lastError).toMatch(/401: Unauthenticated/);
    await expectBuried(h, p.id, /401: Unauthenticated/);
    expect(h.sim.calls).toHaveLength(1);
  });
});

describe('faults during pause, restore, restart and delete are retried and converge', () => {
  it('5xx, timeouts and 429s on every lifecycle call', async () => {
    h = await startHarness();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Bumpy' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const ref = { actor, input: { ref: p.ref } };

    h.sim.inject({ method: 'POST', path: '/services/{uuid}/stop', kind: '503', times: 2 });
    await pauseProject(h.deps, ref);
    await h.settle(p.ref, 'INACTIVE');

    h.sim.inject({ method: 'POST', path: '/services/{uuid}/start', kind: 'timeout' });
    h.sim.inject({
      method: 'POST',
      path: '/services/{uuid}/start',
      kind: '429',
      retryAfterSeconds: 1,
    });
    await restoreProject(h.deps, ref);
    await h.settle(p.ref, 'ACTIVE_HEALTHY');

    h.sim.inject({ method: 'POST', path: '/services/{uuid}/restart', kind: '500', times: 2 });
    await restartProject(h.deps, ref);
    await h.settle(p.ref, 'ACTIVE_HEALTHY');

    h.sim.inject({ method: 'DELETE', path: '/services/{uuid}', kind: 'drop' });
    h.sim.inject({ method: 'GET', path: '/services/{uuid}', kind: '502', times: 2 });
    h.sim.inject({ method: 'DELETE', path: '/projects/{uuid}', kind: 'timeout' });
    await deleteProject(h.deps, ref);
    await h.settle(p.ref, 'REMOVED');
    expect(h.sim.state.services.size).toBe(0);
    expect(h.sim.state.projects.size).toBe(0);
    expect(h.sim.calls.filter((c) => c.fault).length).toBeGreaterThanOrEqual(10);
    await expectNoSecretInLogs(h);
  });

  it('a stop Coolify keeps refusing ends in PAUSE_FAILED with the reason', async () => {
    h = await startHarness({ runner: { backoff: { baseMs: 5, maxMs: 20 } } });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Stubborn' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    h.sim.inject({ method: 'POST', path: '/services/{uuid}/stop', kind: '500', times: Infinity });
    await pauseProject(h.deps, { actor, input: { ref: p.ref } });
    const failed = await h.settle(p.ref, 'PAUSE_FAILED', 20_000);
    expect(failed.lastError).toMatch(/stop → 500/);
  });
});

describe('secrets at rest', () => {
  it('the raw project_secrets table holds no plaintext secret', async () => {
    h = await startHarness();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Vault' },
    });
    const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, p.id))!;
    const raw = await h.db.sql`select * from project_secrets`;
    const dump = raw
      .flatMap((row) =>
        Object.values(row).map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v))),
      )
      .join('\n');
    const audit = JSON.stringify(await h.db.sql`select * from audit_log`);
    const jobs = JSON.stringify(await h.db.sql`select * from jobs`);
    for (const [name, value] of Object.entries(secrets)) {
      if (name === 'DASHBOARD_USERNAME') continue;
      expect(dump.includes(value), `${name} in project_secrets`).toBe(false);
      expect(audit.includes(value), `${name} in audit_log`).toBe(false);
      expect(jobs.includes(value), `${name} in jobs`).toBe(false);
    }
    expect(raw).toHaveLength(1);
    expect(raw[0]!.key_id).toBe('k1');
  });
});
