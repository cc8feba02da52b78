import { eq } from 'drizzle-orm';
import { jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { auditLog, projectSecrets } from '../src/db/schema/index.js';
import { loadProjectSecrets } from '../src/secrets/store.js';
import { renameProject } from '../src/projects/rename.js';
import {
  createProject,
  deleteProject,
  pauseProject,
  restartProject,
  restoreProject,
} from '../src/projects/projects.js';
import { startHarness, waitFor, type Harness } from './support/harness.js';

const actor = { id: 'test' };
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const routesOf = (h: Harness) =>
  h.sim.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.route}`);

describe('create', () => {
  it('sends create → env → start, with our compose and our secrets, then reaches ACTIVE_HEALTHY', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Shop backend' },
    });
    expect(p.ref).toMatch(/^[a-z]{20}$/);
    expect(p.status).toBe('COMING_UP');
    await waitFor(async () => (await h.project(p.ref)).coolifyServiceUuid, 10_000, 'service');
    await waitFor(
      async () => h.sim.calls.some((c) => c.route === '/services/{uuid}/start'),
      10_000,
      'start',
    );

    expect(routesOf(h)).toEqual([
      'POST /projects',
      'POST /services',
      'PATCH /services/{uuid}/envs/bulk',
      'POST /services/{uuid}/start',
    ]);
    const [svc] = h.sim.servicesByTag(p.ref);
    expect(svc).toBeDefined();
    expect(svc!.name).toBe(`Shop backend (${p.ref})`);
    expect(svc!.tags).toEqual(expect.arrayContaining(['supaplane', p.ref]));
    expect(svc!.urls).toEqual([{ name: 'supabase-kong', url: `https://${p.ref}.supa.test:8000` }]);
    // v2's database route labels use variables, which Coolify would otherwise escape.
    expect(svc!.is_container_label_escape_enabled).toBe(false);
    const coolifyProject = h.sim.state.projects.get(svc!.projectUuid)!;
    expect(coolifyProject.name).toContain(h.org.name);

    const compose = parse(svc!.compose) as { services: Record<string, { image: string }> };
    for (const [name, s] of Object.entries(compose.services)) {
      expect(s.image, name).toMatch(/^[^:]+(\/[^:]+)*:[\w.-]+$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }

    const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, p.id))!;
    const env = h.sim.envOf(svc!.uuid);
    // Template v2 delivers each secret under the name(s) its containers read, so
    // every value is there, some under another name (DB_ENC_KEY, CRYPTO_KEY).
    for (const [key, value] of Object.entries(secrets)) {
      expect(Object.values(env), key).toContain(value);
    }
    expect(env.JWT_SECRET).toBe(secrets.JWT_SECRET);
    expect(env.API_EXTERNAL_URL).toBe(`https://${p.ref}.supa.test/auth/v1`);
    const anon = await jwtVerify(env.SUPABASE_ANON_KEY!, new TextEncoder().encode(env.JWT_SECRET!));
    expect(anon.payload.role).toBe('anon');

    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    expect(healthy.lastError).toBeNull();
    expect(h.sim.gatewayCalls.some((c) => c.ref === p.ref && c.path.startsWith('/rest/v1'))).toBe(
      true,
    );
  });

  it('is not healthy until its gateway answers, even when Coolify says running', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Gated' },
    });
    h.sim.failGateway(p.ref, true);
    await waitFor(
      async () => h.sim.servicesByTag(p.ref)[0]?.status.startsWith('running'),
      10_000,
      'running',
    );
    for (let i = 0; i < 3; i++) await h.reconcile();
    expect((await h.project(p.ref)).status).toBe('COMING_UP');
    h.sim.failGateway(p.ref, false);
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
  });

  it('fails clearly without Coolify settings', async () => {
    const deps = {
      ...h.deps,
      config: { ...h.deps.config, COOLIFY_URL: undefined, COOLIFY_TOKEN: undefined },
    };
    await expect(
      createProject(deps, { actor, input: { organizationId: h.org.id, name: 'x' } }),
    ).rejects.toMatchObject({
      code: 'precondition',
      message: expect.stringMatching(/COOLIFY_URL, COOLIFY_TOKEN/),
    });
  });

  it('returns the same project for a repeated idempotency key', async () => {
    const input = { organizationId: h.org.id, name: 'Once', idempotencyKey: 'abc-123' };
    const [a, b] = await Promise.all([
      createProject(h.deps, { actor, input }),
      createProject(h.deps, { actor, input }),
    ]);
    expect(a.id).toBe(b.id);
    await h.settle(a.ref, 'ACTIVE_HEALTHY');
    expect(h.sim.calls.filter((c) => c.route === '/services' && c.method === 'POST')).toHaveLength(
      1,
    );
  });
});

describe('pause, restore, restart, delete', () => {
  it('each make the right Coolify calls and pass through the right statuses', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Cycle' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const svc = () => h.sim.servicesByTag(p.ref)[0]!;
    const uuid = svc().uuid;

    expect((await pauseProject(h.deps, { actor, input: { ref: p.ref } })).status).toBe('PAUSING');
    await h.settle(p.ref, 'INACTIVE');
    expect(svc().actions).toEqual(['start', 'stop']);
    expect(svc().status).toBe('exited');

    expect((await restoreProject(h.deps, { actor, input: { ref: p.ref } })).status).toBe(
      'RESTORING',
    );
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    expect(svc().actions).toEqual(['start', 'stop', 'start']);

    expect((await restartProject(h.deps, { actor, input: { ref: p.ref } })).status).toBe(
      'RESTARTING',
    );
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    expect(svc().actions).toEqual(['start', 'stop', 'start', 'restart']);

    expect((await deleteProject(h.deps, { actor, input: { ref: p.ref } })).status).toBe(
      'GOING_DOWN',
    );
    await h.settle(p.ref, 'REMOVED');
    const deleted = h.sim.state.deletedServices.find((s) => s.uuid === uuid)!;
    expect(deleted.deleteRequests[0]!.raw).toEqual({
      delete_configurations: 'true',
      delete_volumes: 'true',
      docker_cleanup: 'false',
      delete_connected_networks: 'true',
    });
    expect(h.sim.state.services.size).toBe(0);
    expect(h.sim.state.projects.size).toBe(0);
    expect(
      await h.db.db.select().from(projectSecrets).where(eq(projectSecrets.projectId, p.id)),
    ).toEqual([]);

    const trail = await h.db.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.projectId, p.id))
      .orderBy(auditLog.id);
    expect(trail.map((a) => a.toStatus)).toEqual([
      'COMING_UP',
      'ACTIVE_HEALTHY',
      'PAUSING',
      'INACTIVE',
      'RESTORING',
      'ACTIVE_HEALTHY',
      'RESTARTING',
      'ACTIVE_HEALTHY',
      'GOING_DOWN',
      'REMOVED',
    ]);
  });

  it('renames the Coolify service too, keeping the ref so operators recognise it', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Old name' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    await renameProject(h.deps, { actor, input: { ref: p.ref, name: 'New name' } });
    await h.jobsIdle();
    expect(h.sim.servicesByTag(p.ref)[0]!.name).toBe(`New name (${p.ref})`);
    expect((await h.project(p.ref)).status).toBe('ACTIVE_HEALTHY');
    // Still recognised as ours: no orphan sweep, no duplicate.
    expect((await h.reconcile()).orphansRemoved).toBe(0);
  });

  it('refuses operations that make no sense in the current state', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Early' },
    });
    await expect(restoreProject(h.deps, { actor, input: { ref: p.ref } })).rejects.toMatchObject({
      code: 'precondition',
      message: expect.stringMatching(/cannot be restored while it is COMING_UP/),
    });
    await expect(
      pauseProject(h.deps, { actor, input: { ref: 'nosuchprojectrefxxxx' } }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('deletes a project while its create is still running, leaving nothing behind', async () => {
    h.sim.inject({ path: '/services/{uuid}/start', kind: 'slow', delayMs: 150 });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Regret' },
    });
    await deleteProject(h.deps, { actor, input: { ref: p.ref } });
    await h.settle(p.ref, 'REMOVED');
    expect(h.sim.state.services.size).toBe(0);
  });

  it('keeps the organization group while another project still uses it', async () => {
    const a = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'A' },
    });
    const b = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'B' },
    });
    await h.settle(a.ref, 'ACTIVE_HEALTHY');
    await h.settle(b.ref, 'ACTIVE_HEALTHY');
    expect(h.sim.state.projects.size).toBe(1);
    await deleteProject(h.deps, { actor, input: { ref: a.ref } });
    await h.settle(a.ref, 'REMOVED');
    expect(h.sim.state.projects.size).toBe(1);
    expect(h.sim.servicesByTag(b.ref)).toHaveLength(1);
  });
});

describe('reconciler', () => {
  it('reads every status with one call per server, never one per project', async () => {
    const refs = [];
    for (let i = 0; i < 6; i++) {
      refs.push(
        (await createProject(h.deps, { actor, input: { organizationId: h.org.id, name: `p${i}` } }))
          .ref,
      );
    }
    for (const ref of refs) await h.settle(ref, 'ACTIVE_HEALTHY');
    h.sim.resetCalls();
    const report = await h.reconcile();
    const servers = new Set(
      (await Promise.all(refs.map((r) => h.project(r)))).map((p) => p.serverUuid),
    );
    expect(servers.size).toBe(3); // spread over the least-loaded servers
    expect(report.coolifyCalls).toBe(3);
    expect(h.sim.calls.map((c) => c.route)).toEqual(Array(3).fill('/servers/{uuid}/resources'));
    expect(report.probes).toBe(0); // healthy projects need no probe
  });

  it('notices a stop and a delete done in Coolify’s UI', async () => {
    const a = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Stopped' },
    });
    const b = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Deleted' },
    });
    await h.settle(a.ref, 'ACTIVE_HEALTHY');
    await h.settle(b.ref, 'ACTIVE_HEALTHY');
    h.sim.operatorStop(h.sim.servicesByTag(a.ref)[0]!.uuid);
    h.sim.operatorDelete(h.sim.servicesByTag(b.ref)[0]!.uuid);
    await h.reconcile();
    expect((await h.project(a.ref)).status).toBe('INACTIVE');
    // One listing without it is not proof (audit D6): a 404 on a second tick is.
    expect((await h.project(b.ref)).status).toBe('ACTIVE_HEALTHY');
    await h.reconcile();
    const removed = await h.project(b.ref);
    expect(removed.status).toBe('REMOVED');
    expect(removed.lastError).toMatch(/deleted in Coolify/);
    // Removed outside Supaplane: the secrets stay, encrypted, for the retention period.
    expect(removed.secretsRetainedUntil!.getTime() - Date.now()).toBeGreaterThan(6 * 86400_000);
    expect(
      await h.db.db.select().from(projectSecrets).where(eq(projectSecrets.projectId, b.id)),
    ).toHaveLength(1);
  });

  it('removes a duplicate service left by a create whose answer was lost', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Twin' },
    });
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const compose = Buffer.from('services:\n  app:\n    image: nginx:1.27.0\n').toString('base64');
    const res = await fetch(`${h.sim.apiUrl}/services`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.sim.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        project_uuid: healthy.coolifyProjectUuid,
        server_uuid: healthy.serverUuid,
        // The harness's servers have two networks, so Coolify wants one named.
        destination_uuid: h.sim.state.services.get(healthy.coolifyServiceUuid!)!.destinationUuid,
        environment_name: 'production',
        docker_compose_raw: compose,
        name: `Twin (${p.ref})`,
      }),
    });
    expect(res.status).toBe(201);
    const { uuid: twin } = (await res.json()) as { uuid: string };
    const report = await h.reconcile();
    expect(report.orphansRemoved).toBe(1);
    await waitFor(async () => !h.sim.state.services.has(twin), 5000, 'twin removed');
    expect(h.sim.state.services.has(healthy.coolifyServiceUuid!)).toBe(true);
    expect((await h.project(p.ref)).status).toBe('ACTIVE_HEALTHY');
  });

  it('fails a project that never comes up within the settle timeout', async () => {
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Stuck' },
    });
    h.sim.failGateway(p.ref, true);
    await waitFor(
      async () => h.sim.servicesByTag(p.ref)[0]?.status.startsWith('running'),
      10_000,
      'running',
    );
    await waitFor(
      async () => !(await h.runner.size) && (await h.project(p.ref)).coolifyServiceUuid,
      5000,
      'job done',
    );
    await new Promise((r) => setTimeout(r, 50));
    await h.reconcile(1);
    const failed = await h.project(p.ref);
    expect(failed.status).toBe('INIT_FAILED');
    expect(failed.lastError).toMatch(/did not become healthy/);
  });
});
