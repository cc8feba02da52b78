// The simulator's status model against Coolify's code (coollabsio/coolify@379abb25).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCoolifySim, type CoolifySim } from './index.js';
import { aggregateFromStrings, serviceStatus } from './status-aggregate.js';
import type { SimSubResource } from './types.js';
import { apiFor, b64, createService, REF, setupProject, waitFor } from './test-helpers.js';

let sim: CoolifySim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const sub = (status: string, exclude = false) =>
  ({ status, exclude_from_status: exclude }) as SimSubResource;

describe('ContainerStatusAggregator (app/Services/ContainerStatusAggregator.php:205-275@379abb25)', () => {
  it.each([
    [['running:healthy', 'running:healthy'], 'running:healthy'],
    [['running:healthy', 'exited'], 'degraded:unhealthy'], // :237 mixed running + exited
    [['running:healthy', 'starting:unknown'], 'starting:unknown'], // :243
    [['running:healthy', 'running:unknown'], 'running:unknown'], // :251 no healthcheck
    [['running:healthy', 'running:unhealthy'], 'running:unhealthy'],
    [['running:starting'], 'running:healthy'], // :81-88 quirk: no "unhealthy"/"unknown" in it
    [['restarting:unknown', 'running:healthy'], 'degraded:unhealthy'], // :228
    [['created:unknown'], 'starting:unknown'],
    [['paused:unknown', 'exited'], 'paused:unknown'],
    [['exited', 'exited'], 'exited'],
  ])('%j → %s', (statuses, expected) => {
    expect(aggregateFromStrings(statuses)).toBe(expected);
  });

  it('keeps restarting for a sub-resource (preserveRestarting, GetContainersStatus.php:592)', () => {
    expect(aggregateFromStrings(['restarting:unknown'], { preserveRestarting: true })).toBe(
      'restarting:unknown',
    );
  });

  it('Service::getStatusAttribute (app/Models/Service.php:233-276): excluded forms', () => {
    expect(serviceStatus([sub('running:healthy'), sub('exited', true)], false)).toBe(
      'running:healthy',
    );
    expect(serviceStatus([sub('running:healthy', true)], false)).toBe('running:healthy:excluded');
    expect(serviceStatus([sub('exited', true)], false)).toBe('exited');
    expect(serviceStatus([], false)).toBe('unknown:unknown:excluded');
    expect(serviceStatus([sub('running:healthy')], true)).toBe('starting:unhealthy');
  });
});

/** Polls the resources listing and returns the distinct statuses in the order they appeared. */
async function watchStatuses(s: CoolifySim, uuid: string, until: (status: string) => boolean) {
  const api = apiFor(s);
  const seen: string[] = [];
  const deadline = Date.now() + 5000;
  for (;;) {
    const list = (await api('GET', `/servers/${s.state.servers[0]!.uuid}/resources`)).json as {
      uuid: string;
      status: string;
    }[];
    const status = list.find((r) => r.uuid === uuid)!.status;
    if (seen.at(-1) !== status) seen.push(status);
    if ((seen.length > 1 && until(status)) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const SLOW = { queueDelayMs: 60, stopDelayMs: 60, startDelayMs: 60, statusRefreshMs: 400 };

describe('coolify-sim: statuses lag behind Docker as in Coolify', () => {
  it('start: stays exited until the job runs, starting:unhealthy during compose, exited again until the next refresh', async () => {
    sim = await startCoolifySim(SLOW);
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [{ key: 'JWT_SECRET', value: 's' }],
    });
    await api('POST', `/services/${uuid}/start`);
    const seen = await watchStatuses(sim, uuid, (s) => s.startsWith('running'));
    // StartService.php:55 (activity) → Service.php:235; RunRemoteProcess.php:105-116 only
    // broadcasts, so the stored `exited` stays until ServerCheckJob (ServerManagerJob.php:31).
    expect(seen).toEqual(['exited', 'starting:unhealthy', 'exited', 'running:healthy']);
  });

  it('restart: the old running status first, then exited, starting, stale exited, running', async () => {
    sim = await startCoolifySim(SLOW);
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    sim.setStatus(uuid, 'running:healthy');
    await api('POST', `/services/${uuid}/restart`);
    const seen = await watchStatuses(sim, uuid, (s) => s.startsWith('running'));
    // RestartService.php:16-20 → StartService.php:22-24 → StopService.php:52-53.
    expect(seen).toEqual([
      'running:healthy',
      'exited',
      'starting:unhealthy',
      'exited',
      'running:healthy',
    ]);
  });

  it('stop: the old status until StopService has stopped the containers', async () => {
    sim = await startCoolifySim(SLOW);
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    sim.setStatus(uuid, 'running:healthy');
    expect((await api('POST', `/services/${uuid}/stop`)).status).toBe(200);
    expect(sim.state.services.get(uuid)!.status).toBe('running:healthy');
    // A second stop is accepted: the stale status still says running (ServicesController.php:2187).
    expect((await api('POST', `/services/${uuid}/stop`)).status).toBe(200);
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'exited');
  });

  it('aggregates per sub-resource: one exited container makes the service degraded:unhealthy', async () => {
    sim = await startCoolifySim({ statusRefreshMs: 20 });
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    sim.setStatus(uuid, 'running:healthy');
    const before = (await api('GET', `/services/${uuid}`)).json as {
      databases: { last_online_at: string }[];
    };
    sim.setContainer(uuid, 'supabase-db', 'exited');
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'degraded:unhealthy');
    const svc = (await api('GET', `/services/${uuid}`)).json as {
      status: string;
      applications: { name: string; status: string }[];
      databases: { name: string; status: string; last_online_at: string }[];
    };
    expect(svc.databases[0]).toMatchObject({ name: 'supabase-db', status: 'exited' });
    expect(svc.applications.find((a) => a.name === 'supabase-kong')!.status).toBe(
      'running:healthy',
    );
    // Every status write or re-confirmation stamps last_online_at (ServiceApplication.php:68-71,
    // GetContainersStatus.php:596-601).
    expect(svc.databases[0]!.last_online_at > before.databases[0]!.last_online_at).toBe(true);
    sim.setContainer(uuid, 'supabase-db', 'restarting:unknown');
    await waitFor(
      () => sim!.state.services.get(uuid)!.databases[0]!.status === 'restarting:unknown',
    );
    expect(sim.state.services.get(uuid)!.status).toBe('degraded:unhealthy');
    sim.setContainer(uuid, 'supabase-db', 'running:unknown');
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'running:unknown');
    sim.setContainer(uuid, 'supabase-db', 'created:unknown');
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'starting:unknown');
  });
});

const REQUIRED_COMPOSE = `services:
  supabase-kong:
    image: kong/kong:3.9.1
    environment:
      SERVICE_URL_SUPABASEKONG_8000:
      JWT_SECRET: \${JWT_SECRET:?}
      ANON: \${ANON_KEY:?}
`;

describe('coolify-sim: a start runs on the .env of that moment', () => {
  it('fails as compose would while a required variable is empty, and starts once it is set', async () => {
    sim = await startCoolifySim({ statusRefreshMs: 20 });
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api), {
      docker_compose_raw: b64(REQUIRED_COMPOSE),
    });
    await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [{ key: 'JWT_SECRET', value: 's' }],
    });
    await api('POST', `/services/${uuid}/start`);
    const svc = sim.state.services.get(uuid)!;
    await waitFor(() => svc.runtime?.activity === 'error');
    expect(svc.runtime!.lastStartError).toBe('required variable ANON_KEY is missing a value');
    await new Promise((r) => setTimeout(r, 60));
    expect(svc.status).toBe('exited');
    await api('PATCH', `/services/${uuid}/envs/bulk`, { data: [{ key: 'ANON_KEY', value: 'a' }] });
    await api('POST', `/services/${uuid}/start`);
    await waitFor(() => svc.status === 'running:healthy');
  });

  it('every container gets the whole .env; keys written later count only after a restart', async () => {
    sim = await startCoolifySim({ statusRefreshMs: 20 });
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    const bulk = (data: { key: string; value: string }[]) =>
      api('PATCH', `/services/${uuid}/envs/bulk`, { data });
    await bulk([
      { key: 'JWT_SECRET', value: 'first' },
      { key: 'NOT_IN_COMPOSE', value: 'x' },
    ]);
    await api('POST', `/services/${uuid}/start`);
    const svc = sim.state.services.get(uuid)!;
    await waitFor(() => svc.status === 'running:healthy');
    // Service.php:1608-1635 writes every row; parsers.php:2743-2753 adds env_file: .env to all.
    expect(svc.runtime!.startedEnv).toMatchObject({
      NOT_IN_COMPOSE: 'x',
      JWT_SECRET: 'first',
      SERVICE_NAME_SUPABASE_DB: 'supabase-db',
    });
    await bulk([{ key: 'JWT_SECRET', value: 'second' }]);
    expect(svc.runtime!.startedEnv!.JWT_SECRET).toBe('first');
    await api('POST', `/services/${uuid}/restart`);
    await waitFor(() => svc.runtime!.startedEnv?.JWT_SECRET === 'second');
  });
});

/** A request to the sim with another Host header, as Coolify's proxy would receive it. */
function viaHost(s: CoolifySim, host: string, path: string): Promise<number> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('coolify-sim: the gateway routes by the domain given in urls', () => {
  it('answers on the registered host only, while the Kong container runs', async () => {
    // A refresh far beyond the test's length: the stale `exited` below must still be there
    // when it is read (with 20 ms a loaded machine had already refreshed it).
    sim = await startCoolifySim({ statusRefreshMs: 60_000 });
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [{ key: 'JWT_SECRET', value: 's' }],
    });
    const host = `${REF}.example.test`;
    expect(await viaHost(sim, host, '/auth/v1/health')).toBe(503);
    await api('POST', `/services/${uuid}/start`);
    await waitFor(() => sim!.state.services.get(uuid)!.runtime?.activity === 'finished');
    // Docker runs it although Coolify still reports the stale `exited`.
    expect(sim.state.services.get(uuid)!.status).toBe('exited');
    expect(await viaHost(sim, host, '/auth/v1/health')).toBe(200);
    expect(await viaHost(sim, `other.example.test`, '/auth/v1/health')).toBe(404);
    await api('PATCH', `/services/${uuid}`, {
      urls: [{ name: 'supabase-kong', url: 'https://moved.example.test:8000' }],
    });
    expect(await viaHost(sim, host, '/auth/v1/health')).toBe(404);
    expect(await viaHost(sim, 'moved.example.test', '/auth/v1/health')).toBe(200);
  });
});

describe('coolify-sim: deletes as DeleteResourceJob runs them', () => {
  it('can fail and leave the service, and leaves containers and volumes on a dead server', async () => {
    sim = await startCoolifySim({ statusRefreshMs: 20 });
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    const a = await createService(api, ids);
    sim.failDeletes(1);
    await api('DELETE', `/services/${a}`);
    await waitFor(() => sim!.state.services.get(a)!.deleting === null);
    expect((await api('GET', `/services/${a}`)).status).toBe(200);
    await api('DELETE', `/services/${a}`);
    await waitFor(() => !sim!.state.services.has(a));

    const b = await createService(api, ids, {
      urls: [{ name: 'supabase-kong', url: 'https://b.example.test:8000' }],
    });
    await api('PATCH', `/services/${b}/envs/bulk`, { data: [{ key: 'JWT_SECRET', value: 's' }] });
    await api('POST', `/services/${b}/start`);
    await waitFor(() => sim!.state.services.get(b)!.runtime?.activity === 'finished');
    const server = sim.state.servers[0]! as { is_reachable: boolean };
    server.is_reachable = false;
    await api('DELETE', `/services/${b}`);
    await waitFor(() => !sim!.state.services.has(b));
    expect(sim.state.leftovers).toEqual([
      expect.objectContaining({
        serviceUuid: b,
        containers: expect.arrayContaining([`supabase-kong-${b}`, `supabase-db-${b}`]),
        volumes: [`${b}_supabase-db-data`],
      }),
    ]);
  });
});
