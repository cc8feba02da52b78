import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startCoolifySim, type CoolifySim } from './index.js';
import { apiFor, createBody, createService, REF, setupProject, waitFor } from './test-helpers.js';

let sim: CoolifySim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const SECRET = 'super-secret-jwt-token-with-at-least-32-characters';

async function sign(role: string, secret = SECRET): Promise<string> {
  return new SignJWT({ role, iss: 'supabase' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));
}

describe('coolify-sim: fault injection', () => {
  it('fails before the handler so nothing is created, then recovers', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    sim.inject({ method: 'POST', path: '/services', kind: '500' });
    sim.inject({ path: '/services', kind: '503', retryAfterSeconds: 2 });
    sim.inject({ path: '/services', kind: '502' });
    expect((await api('POST', '/services', createBody(ids))).status).toBe(500);
    const unavailable = await api('POST', '/services', createBody(ids));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('2');
    expect((await api('POST', '/services', createBody(ids))).status).toBe(502);
    expect(sim.state.services.size).toBe(0);
    expect((await api('POST', '/services', createBody(ids))).status).toBe(201);
    expect(
      sim.calls.filter((c) => c.route === '/services').map((c) => c.fault ?? c.status),
    ).toEqual(['500', '503', '502', 201]);
  });

  it('applies `after` faults once the handler mutated state (response lost)', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    sim.inject({ path: '/services', method: 'POST', kind: 'drop', after: true });
    await expect(api('POST', '/services', createBody(ids))).rejects.toThrow();
    expect(sim.servicesByTag(REF)).toHaveLength(1);
    expect(sim.calls.at(-1)).toMatchObject({ status: 0, fault: 'drop' });
  });

  it('matches route templates and concrete uuids, honours times, 429 and clearFaults', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    sim.inject({ path: `/services/${uuid}/start`, kind: '429', retryAfterSeconds: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await api('POST', `/services/${uuid}/start`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
    }
    sim.inject({ path: '/services/:uuid/start', kind: '500', times: Infinity });
    expect((await api('POST', `/services/${uuid}/start`)).status).toBe(500);
    expect((await api('POST', `/services/${uuid}/start`)).status).toBe(500);
    sim.clearFaults();
    expect((await api('POST', `/services/${uuid}/start`)).status).toBe(200);
  });

  it('holds requests for timeout and delays them for slow', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    sim.inject({ path: '/servers', kind: 'timeout' });
    const held = fetch(`${sim.apiUrl}/servers`, {
      headers: { Authorization: `Bearer ${sim.token}` },
      signal: AbortSignal.timeout(100),
    });
    await expect(held).rejects.toThrow();
    sim.inject({ path: '/servers', kind: 'slow', delayMs: 80 });
    const started = Date.now();
    expect((await api('GET', '/servers')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });
});

describe('coolify-sim: gateway', () => {
  it('serves health and verifies the apikey only while the service runs', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api));
    await api('PATCH', `/services/${uuid}/envs/bulk`, {
      data: [{ key: 'JWT_SECRET', value: SECRET }],
    });
    const gw = sim.gatewayUrlTemplate.replace('{ref}', REF);
    const probe = (path: string, apikey?: string) =>
      fetch(`${gw}${path}`, { headers: apikey ? { apikey } : {} });

    expect((await probe('/auth/v1/health')).status).toBe(503);
    await api('POST', `/services/${uuid}/start`);
    await waitFor(() => sim!.state.services.get(uuid)!.status === 'running:healthy');

    const health = await probe('/auth/v1/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: 'GoTrue', version: 'v2.186.0' });
    const rest = await probe('/rest/v1/', await sign('anon'));
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ swagger: '2.0' });
    expect((await probe('/rest/v1/', await sign('service_role'))).status).toBe(200);
    expect(
      (await probe('/rest/v1/', await sign('anon', 'wrong-secret-wrong-secret-wrong!!'))).status,
    ).toBe(401);
    expect((await probe('/rest/v1/', await sign('authenticated'))).status).toBe(401);
    expect((await probe('/rest/v1/')).status).toBe(401);
    expect(
      (
        await fetch(
          sim.gatewayUrlTemplate.replace('{ref}', 'zzzzzzzzzzzzzzzzzzzz') + '/auth/v1/health',
        )
      ).status,
    ).toBe(404);

    sim.failGateway(REF, true);
    expect((await probe('/auth/v1/health')).status).toBe(502);
    sim.failGateway(REF, false);
    sim.setStatus(uuid, 'exited');
    expect((await probe('/auth/v1/health')).status).toBe(503);
    expect(sim.gatewayCalls.length).toBeGreaterThan(5);
  });
});
