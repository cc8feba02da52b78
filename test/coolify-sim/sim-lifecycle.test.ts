import { afterEach, describe, expect, it } from 'vitest';
import { startCoolifySim, type CoolifySim } from './index.js';
import { apiFor, createService, setupProject, waitFor } from './test-helpers.js';

let sim: CoolifySim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('coolify-sim: start / stop / restart', () => {
  it('goes through starting:unhealthy and refuses a second start', async () => {
    sim = await startCoolifySim({ startDelayMs: 300, runningStatus: 'running:unknown' });
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    expect((await api('POST', `/services/${uuid}/stop`)).json).toEqual({
      message: 'Service is already stopped.',
    });
    expect(await api('POST', `/services/${uuid}/start`)).toMatchObject({
      status: 200,
      json: { message: 'Service starting request queued.' },
    });
    // Queued (ServicesController.php:2095@379abb25): the old status stays until the job runs.
    expect(sim.state.services.get(uuid)!.status).toBe('exited');
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'starting:unhealthy');
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'running:unknown');
    expect(await api('POST', `/services/${uuid}/start`)).toMatchObject({
      status: 400,
      json: { message: 'Service is already running.' },
    });
    const resources = (await api('GET', `/servers/${sim.state.servers[0]!.uuid}/resources`))
      .json as { uuid: string; type: string; status: string }[];
    expect(resources).toEqual([
      expect.objectContaining({ uuid, type: 'service', status: 'running:unknown' }),
    ]);
    expect((await api('POST', `/services/${uuid}/restart`)).json).toEqual({
      message: 'Service restarting request queued.',
    });
    // The restart reports exited (StopService.php:52-53@379abb25) until the next refresh, and
    // a stop meanwhile is refused as "already stopped": wait for running again.
    await waitFor(() => sim!.state.services.get(uuid)!.runtime!.composeUps === 2);
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'running:unknown');
    expect((await api('POST', `/services/${uuid}/stop`)).status).toBe(200);
    expect(sim.state.services.get(uuid)!.actions).toEqual(['start', 'restart', 'stop']);
  });

  it('lets tests drive statuses and operator actions without recording calls', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    sim.resetCalls();
    sim.setStatus(uuid, 'running:unhealthy');
    expect((await api('POST', `/services/${uuid}/start`)).status).toBe(400);
    sim.setStatus(uuid, 'degraded:unhealthy');
    expect((await api('GET', `/services/${uuid}`)).json).toMatchObject({
      status: 'degraded:unhealthy',
    });
    sim.operatorStop(uuid);
    expect(sim.state.services.get(uuid)!.status).toBe('exited');
    sim.operatorDelete(uuid);
    expect((await api('GET', `/services/${uuid}`)).status).toBe(404);
    expect(sim.calls.map((c) => `${c.route} ${c.status}`)).toEqual([
      '/services/{uuid}/start 400',
      '/services/{uuid} 200',
      '/services/{uuid} 404',
    ]);
  });

  it('needs the deploy ability for actions', async () => {
    sim = await startCoolifySim({ tokens: { root: ['root'], rw: ['read', 'write'] } });
    const uuid = await createService(apiFor(sim), await setupProject(sim, apiFor(sim)));
    expect((await apiFor(sim, 'rw')('POST', `/services/${uuid}/start`)).json).toEqual({
      message: 'Missing required permissions: deploy',
    });
  });
});

describe('coolify-sim: deletion', () => {
  it('deletes asynchronously, records flags, and blocks project deletion until gone', async () => {
    sim = await startCoolifySim({ deleteDelayMs: 400 });
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    const uuid = await createService(api, ids);
    const flags =
      'delete_configurations=true&delete_volumes=true&docker_cleanup=true&delete_connected_networks=false';
    expect((await api('DELETE', `/services/${uuid}?${flags}`)).json).toEqual({
      message: 'Service deletion request queued.',
    });
    expect((await api('GET', `/services/${uuid}`)).status).toBe(200);
    expect((await api('DELETE', `/projects/${ids.projectUuid}`)).json).toEqual({
      message: 'Project has resources, so it cannot be deleted.',
    });
    const svc = sim.state.services.get(uuid)!;
    expect(svc.deleting?.raw).toEqual({
      delete_configurations: 'true',
      delete_volumes: 'true',
      docker_cleanup: 'true',
      delete_connected_networks: 'false',
    });
    expect(svc.deleting?.effective.delete_connected_networks).toBe(false);
    await waitFor(() => !sim!.state.services.has(uuid));
    expect((await api('GET', `/services/${uuid}`)).json).toEqual({ message: 'Service not found.' });
    expect(sim.state.deletedServices.map((s) => s.uuid)).toEqual([uuid]);
    expect((await api('DELETE', `/projects/${ids.projectUuid}`)).json).toEqual({
      message: 'Project deleted.',
    });
  });

  it('defaults omitted delete flags to true', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    expect((await api('DELETE', `/services/${uuid}`)).status).toBe(200);
    await waitFor(() => !sim!.state.services.has(uuid));
    const request = sim.state.deletedServices[0]!.deleteRequests[0]!;
    expect(request.raw.delete_volumes).toBeUndefined();
    expect(request.effective.delete_volumes).toBe(true);
  });
});

describe('coolify-sim: env endpoints', () => {
  it('bulk-upserts by key and keeps earlier items when a later one is invalid', async () => {
    sim = await startCoolifySim({ tokens: { root: ['root'], rw: ['read', 'write'] } });
    const api = apiFor(sim, 'root');
    const uuid = await createService(api, await setupProject(sim, api));
    expect((await api('PATCH', `/services/${uuid}/envs/bulk`, {})).json).toEqual({
      message: 'Bulk data is required.',
    });
    const ok = await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [
        { key: 'JWT_SECRET', value: 's3cret-s3cret-s3cret-s3cret-s3cret!', is_literal: true },
        { key: 'NEW_ONE', value: 'x' },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.json).toHaveLength(2);
    expect(sim.envOf(uuid)).toMatchObject({ JWT_SECRET: 's3cret-s3cret-s3cret-s3cret-s3cret!' });
    expect(sim.state.services.get(uuid)!.envs.get('JWT_SECRET')!.is_required).toBe(true);

    const partial = await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [{ key: 'FIRST', value: '1' }, { key: 'bad-key', value: '2' }, { key: 'LAST' }],
    });
    expect(partial).toMatchObject({ status: 422, json: { message: 'Validation failed.' } });
    expect(sim.envOf(uuid)).toHaveProperty('FIRST', '1');
    expect(sim.envOf(uuid)).not.toHaveProperty('LAST');

    const hidden = (await apiFor(sim, 'rw')('GET', `/services/${uuid}/envs`)).json as object[];
    expect(hidden.every((e) => !('value' in e))).toBe(true);
  });

  it('creates, updates and deletes single env vars', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    const created = await api('POST', `/services/${uuid}/envs`, {
      key: 'A_KEY',
      value: 'v',
      comment: 'c',
    });
    expect(created).toMatchObject({
      status: 201,
      json: { key: 'A_KEY', value: 'v', comment: 'c' },
    });
    expect((await api('POST', `/services/${uuid}/envs`, { key: 'A_KEY', value: 'w' })).status).toBe(
      409,
    );
    expect((await api('POST', `/services/${uuid}/envs`, { key: '9bad' })).status).toBe(422);
    const patched = await api('PATCH', `/services/${uuid}/envs`, { key: 'A_KEY' });
    expect(patched).toMatchObject({ status: 201, json: { key: 'A_KEY', value: null } });
    expect(
      (await api('PATCH', `/services/${uuid}/envs`, { key: 'MISSING', value: 'x' })).json,
    ).toEqual({
      message: 'Environment variable not found.',
    });
    const envUuid = (created.json as { uuid: string }).uuid;
    expect((await api('DELETE', `/services/${uuid}/envs/${envUuid}`)).json).toEqual({
      message: 'Environment variable deleted.',
    });
    expect(sim.envOf(uuid)).not.toHaveProperty('A_KEY');
  });
});
