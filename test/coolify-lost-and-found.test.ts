// Audit D5, D6, D11 and the production gateway path, on the simulator's default model
// (Coolify coollabsio/coolify@379abb25).
import { connect as tcpConnect } from 'node:net';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { leftoversCheck } from '../src/cli/doctor/leftovers.js';
import { projects, projectSecrets } from '../src/db/schema/index.js';
import { loadProjectSecrets } from '../src/secrets/store.js';
import { createProject, deleteProject } from '../src/projects/projects.js';
import { startHarness, waitFor, type Harness } from './support/harness.js';

const actor = { id: 'test' };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const newProject = (h: Harness, name: string) =>
  createProject(h.deps, { actor, input: { organizationId: h.org.id, name } });

describe('D5: a create whose reply was lost adopts the service Coolify made', () => {
  it('adopts the service named in the 409 on our URL instead of failing (ServicesController.php:729-745)', async () => {
    h = await startHarness({ env: { COOLIFY_TIMEOUT_MS: '1500' } });
    await h.settle((await newProject(h, 'Warm-up')).ref, 'ACTIVE_HEALTHY');
    h.sim.resetCalls();
    // The first POST is handled by Coolify at ~2 s, after our 1.5 s timeout; the retry's lookup
    // is answered at ~1.5 s, before that service exists, but reaches us at ~2.5 s, after it: so
    // the second POST meets it (half a second of margin either way).
    h.sim.inject({ method: 'POST', path: '/services', kind: 'slow', delayMs: 2000 });
    h.sim.inject({
      method: 'GET',
      path: '/projects/{uuid}/{environment_name_or_uuid}',
      kind: 'slow',
      delayMs: 1000,
      after: true,
    });
    const p = await newProject(h, 'Lost reply');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY', 30_000);
    const posts = h.sim.calls.filter((c) => c.method === 'POST' && c.route === '/services');
    expect(posts.map((c) => c.status)).toEqual([201, 409]); // the first answer never reached us
    const services = h.sim.servicesByTag(p.ref);
    expect(services).toHaveLength(1);
    expect(healthy.coolifyServiceUuid).toBe(services[0]!.uuid);
    expect([...h.sim.state.services.values()]).toHaveLength(2); // the warm-up's and this one
  });

  it('does not adopt a service of another group that holds the URL', async () => {
    h = await startHarness();
    const p = await newProject(h, 'Taken');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const res = await fetch(`${h.sim.apiUrl}/projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.sim.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'someone else' }),
    });
    const other = ((await res.json()) as { uuid: string }).uuid;
    const provisioner = h.deps.provisioner!;
    await expect(
      provisioner.createStack({
        ref: p.ref,
        name: 'Taken',
        organizationName: 'x',
        groupId: other,
        serverUuid: healthy.serverUuid,
        publicUrl: `https://${p.ref}.supa.test`,
        templateVersion: 'v1',
        env: {},
      }),
    ).rejects.toMatchObject({ status: 409 });
  });
});

describe('D6: one listing without the service is no proof it was deleted', () => {
  it('keeps a project whose service moved to another server (Server.php:1001-1008, 1199-1202)', async () => {
    h = await startHarness();
    const p = await newProject(h, 'Moved');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const svc = h.sim.state.services.get(healthy.coolifyServiceUuid!)!;
    svc.serverUuid = h.sim.state.servers.find((s) => s.uuid !== healthy.serverUuid)!.uuid;
    for (let i = 0; i < 3; i++) await h.reconcile();
    const kept = await h.project(p.ref);
    expect(kept.status).toBe('ACTIVE_HEALTHY');
    expect(kept.missingTicks).toBe(0);
    expect(h.logLines.some((l) => l.includes('not listed on its server'))).toBe(true);
  });

  it('keeps the secrets of a project deleted in Coolify until the retention ends, then purges them', async () => {
    h = await startHarness();
    const p = await newProject(h, 'Gone');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const before = await loadProjectSecrets(h.deps.db, h.deps.keyring, p.id);
    h.sim.operatorDelete(healthy.coolifyServiceUuid!);
    await h.reconcile();
    expect((await h.project(p.ref)).status).toBe('ACTIVE_HEALTHY');
    await h.reconcile();
    expect((await h.project(p.ref)).status).toBe('REMOVED');
    // Still readable with the key, so an operator can bring the project back.
    expect(await loadProjectSecrets(h.deps.db, h.deps.keyring, p.id)).toEqual(before);
    await h.db.db
      .update(projects)
      .set({ secretsRetainedUntil: new Date(Date.now() - 1000) })
      .where(eq(projects.id, p.id));
    expect((await h.reconcile()).secretsPurged).toBe(1);
    expect(
      await h.db.db.select().from(projectSecrets).where(eq(projectSecrets.projectId, p.id)),
    ).toEqual([]);
  });
});

describe('D11: delete while the server is down (DeleteResourceJob.php:56-131, StopService.php:34-36)', () => {
  it('ends REMOVED with a warning about what may remain, and doctor lists it', async () => {
    h = await startHarness();
    const p = await newProject(h, 'Down');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const server = h.sim.state.servers.find((s) => s.uuid === healthy.serverUuid)!;
    (server as { is_reachable: boolean }).is_reachable = false;
    await deleteProject(h.deps, { actor, input: { ref: p.ref } });
    const removed = await h.settle(p.ref, 'REMOVED');
    expect(removed.warning).toMatch(/was not reachable when this project was deleted/);
    expect(removed.warning).toContain(`/data/coolify/services/${healthy.coolifyServiceUuid}`);
    // What the simulator's Coolify really left on the host.
    expect(h.sim.state.leftovers.map((l) => l.serviceUuid)).toEqual([healthy.coolifyServiceUuid]);
    const sql = postgres(h.db.url, { max: 1, onnotice: () => {} });
    try {
      const check = await leftoversCheck(sql);
      expect(check.status).toBe('warn');
      expect(check.detail).toContain(p.ref);
    } finally {
      await sql.end();
    }
  });

  it('asks again when Coolify’s delete job failed and the service is still there', async () => {
    h = await startHarness();
    const p = await newProject(h, 'Retry delete');
    const healthy = await h.settle(p.ref, 'ACTIVE_HEALTHY');
    h.sim.failDeletes(1);
    await deleteProject(h.deps, { actor, input: { ref: p.ref } });
    await waitFor(
      async () => h!.sim.state.services.get(healthy.coolifyServiceUuid!)?.deleteRequests.length,
      5000,
      'first delete',
    );
    // Asked again once the status lag has passed (2 s in the harness).
    await h.settle(p.ref, 'REMOVED', 20_000);
    expect(removedRequests(h, healthy.coolifyServiceUuid!)).toBeGreaterThanOrEqual(2);
  });
});

const removedRequests = (h: Harness, uuid: string) =>
  h.sim.state.deletedServices.find((s) => s.uuid === uuid)?.deleteRequests.length ?? 0;

// Node's fetch reads its dispatcher from this global (undici's setGlobalDispatcher writes it).
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');
type Connect = (
  opts: unknown,
  cb: (err: Error | null, socket: import('node:net').Socket | null) => void,
) => void;
type AgentClass = new (opts: { connect: Connect }) => object;

describe('the production gateway path: https://<ref>.<domain>, no SUPAPLANE_GATEWAY_URL', () => {
  const globals = globalThis as unknown as Record<symbol, object | undefined>;
  let previous: object | undefined;
  afterEach(() => {
    if (previous) globals[DISPATCHER] = previous;
    previous = undefined;
  });

  it('probes the domain registered with Coolify and reaches ACTIVE_HEALTHY', async () => {
    h = await startHarness({ env: { SUPAPLANE_GATEWAY_URL: '' } });
    const { port } = new URL(h.sim.url);
    // DNS and TLS stand-in: every connection goes to the simulator, which routes by Host as
    // Coolify's proxy does (the request keeps its https://<ref>.supa.test URL and Host).
    await fetch(h.sim.url + '/api/health'); // makes Node create its default Agent
    previous = globals[DISPATCHER];
    const Agent = previous!.constructor as AgentClass;
    globals[DISPATCHER] = new Agent({
      connect: (_opts, cb) => {
        const socket = tcpConnect(Number(port), '127.0.0.1');
        socket.once('connect', () => cb(null, socket));
        socket.once('error', (err) => cb(err, null));
      },
    });
    const p = await newProject(h, 'Production path');
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const probes = h.sim.gatewayCalls.filter((c) => c.ref === p.ref);
    expect(probes.some((c) => c.path === '/rest/v1/' && c.status === 200)).toBe(true);
    const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, p.id))!;
    expect(probes.find((c) => c.path === '/rest/v1/')!.apikey).toBe(secrets.SUPABASE_ANON_KEY);
  });
});
