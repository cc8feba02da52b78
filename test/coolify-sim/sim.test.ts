import { afterEach, describe, expect, it } from 'vitest';
import { startCoolifySim, type CoolifySim } from './index.js';
import { apiFor, b64, COMPOSE, createBody, REF, setupProject } from './test-helpers.js';

let sim: CoolifySim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('coolify-sim: auth, limits, basics', () => {
  it('answers health and version, and rejects missing or unknown tokens', async () => {
    sim = await startCoolifySim();
    const anon = apiFor(sim, null);
    expect((await anon('GET', '/health')).text).toBe('OK');
    expect(await anon('GET', '/servers')).toMatchObject({
      status: 401,
      json: { message: 'Unauthenticated.' },
    });
    expect((await apiFor(sim, 'nope')('GET', '/servers')).status).toBe(401);
    const version = await apiFor(sim)('GET', '/version');
    expect(version.text).toBe('4.3.11');
    expect(version.headers.get('content-type')).toContain('text/html');
  });

  it('checks abilities exactly: write does not imply read', async () => {
    sim = await startCoolifySim({ tokens: { w: ['write'], r: ['read'], rs: ['read'] } });
    expect(await apiFor(sim, 'w')('GET', '/servers')).toMatchObject({
      status: 403,
      json: { message: 'Missing required permissions: read' },
    });
    expect((await apiFor(sim, 'r')('POST', '/projects', { name: 'abc' })).json).toEqual({
      message: 'Missing required permissions: write',
    });
    expect((await apiFor(sim, 'r')('GET', '/servers')).status).toBe(200);
  });

  // Per Coolify user, not per token (RouteServiceProvider.php:47-53@379abb25): tokens a and
  // a2 are one user's and share a budget; b is another user's.
  it('rate limits per user with Retry-After and X-RateLimit headers', async () => {
    sim = await startCoolifySim({
      rateLimitPerMinute: 3,
      tokens: { a: ['root'], a2: ['root'], b: ['root'] },
      tokenUsers: { a: 'alice', a2: 'alice', b: 'bob' },
    });
    const a = apiFor(sim, 'a');
    for (let i = 0; i < 3; i++) expect((await a('GET', '/servers')).status).toBe(200);
    const limited = await a('GET', '/servers');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await apiFor(sim, 'a2')('GET', '/servers')).status).toBe(429);
    expect((await apiFor(sim, 'b')('GET', '/servers')).status).toBe(200);
  });

  it('reports disabled API, unknown routes and POST-only actions like Coolify', async () => {
    sim = await startCoolifySim({ apiEnabled: false });
    const api = apiFor(sim);
    expect((await api('GET', '/servers')).json).toEqual({
      success: true,
      message: 'API is disabled.',
    });
    sim.setApiEnabled(true);
    expect(await api('GET', '/nothing/here')).toMatchObject({
      status: 404,
      json: { message: 'Not found.', docs: 'https://coolify.io/docs' },
    });
    const get = await api('GET', '/services/x/start');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('lists three usable default servers with one destination each', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const servers = (await api('GET', '/servers')).json as Record<string, unknown>[];
    expect(servers).toHaveLength(3);
    for (const s of servers) {
      expect(s.uuid).toMatch(/^[a-z0-9]{24}$/);
      expect(s).toMatchObject({ is_usable: true, is_reachable: true });
      expect(s.settings).toMatchObject({ is_build_server: false });
      const dests = await api('GET', `/servers/${String(s.uuid)}/destinations`);
      expect(dests.json).toHaveLength(1);
    }
    expect((await api('GET', '/servers/zzz')).json).toEqual({ message: 'Server not found.' });
  });
});

describe('coolify-sim: projects', () => {
  it('creates a project with a production environment and validates names', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const created = await api('POST', '/projects', { name: 'Supaplane (prod)', description: 'x' });
    expect(created.status).toBe(201);
    const uuid = (created.json as { uuid: string }).uuid;
    const project = (await api('GET', `/projects/${uuid}`)).json as { environments: unknown[] };
    expect(project.environments).toMatchObject([{ name: 'production' }]);
    expect((await api('GET', `/projects/${uuid}/production`)).json).toMatchObject({
      name: 'production',
      services: [],
    });
    const bad = await api('POST', '/projects', { name: 'a!', extra: 1 });
    expect(bad.status).toBe(422);
    expect(Object.keys((bad.json as { errors: object }).errors).sort()).toEqual(['extra', 'name']);
    const form = await api('POST', '/projects', 'name=abc', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form).toMatchObject({
      status: 400,
      json: { message: 'Invalid request.', error: 'Content-Type must be application/json.' },
    });
  });
});

describe('coolify-sim: POST /services', () => {
  it('creates a service from base64 compose, registering envs and sub-resources', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    const res = await api('POST', '/services', createBody(ids));
    expect(res.status).toBe(201);
    const { uuid, domains } = res.json as { uuid: string; domains: string[] };
    expect(domains).toEqual([`https://${REF}.example.test:8000`]);
    const svc = sim.state.services.get(uuid)!;
    expect(svc.compose).toBe(COMPOSE);
    expect(svc.docker_compose_raw).not.toContain('#');
    expect(svc.tags).toEqual(['supaplane', REF]);
    expect(svc.status).toBe('exited');
    expect(svc.applications.map((a) => a.name)).toEqual(['supabase-kong', 'minio-createbucket']);
    expect(svc.databases.map((d) => d.name)).toEqual(['supabase-db']);
    const env = sim.envOf(uuid);
    expect(env).toMatchObject({ JWT_SECRET: '', ANON_KEY: null, KONG_DNS_ORDER: 'LAST,A,CNAME' });
    expect(svc.envs.get('JWT_SECRET')!.is_required).toBe(true);
    expect(env.SERVICE_PASSWORD_POSTGRES).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(env.SERVICE_URL_SUPABASEKONG_8000).toMatch(/^http:\/\/supabasekong-.*sslip\.io:8000$/);
    expect(sim.servicesByTag(REF).map((s) => s.uuid)).toEqual([uuid]);

    const got = (await api('GET', `/services/${uuid}`)).json as Record<string, unknown>;
    expect(got).toMatchObject({ uuid, status: 'exited', server_status: true });
    expect(got.docker_compose_raw).toEqual(svc.docker_compose_raw);
    expect(got).not.toHaveProperty('tags');
  });

  it('hides compose from tokens without read:sensitive', async () => {
    sim = await startCoolifySim({ tokens: { root: ['root'], plain: ['read'] } });
    const api = apiFor(sim, 'root');
    const uuid = (
      (await api('POST', '/services', createBody(await setupProject(sim, api)))).json as {
        uuid: string;
      }
    ).uuid;
    const got = (await apiFor(sim, 'plain')('GET', `/services/${uuid}`)).json as object;
    expect(got).not.toHaveProperty('docker_compose_raw');
    expect((await apiFor(sim, 'plain')('GET', '/services/nope')).json).toEqual({
      message: 'Service not found.',
    });
  });

  it('rejects each invalid create the way Coolify does, creating nothing', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    const post = (extra: object) => api('POST', '/services', createBody(ids, extra));

    expect((await post({ docker_compose_raw: 'not base64!' })).json).toEqual({
      message: 'Validation failed.',
      errors: { docker_compose_raw: 'The docker_compose_raw should be base64 encoded.' },
    });
    expect((await post({ docker_compose_raw: b64('services: [unclosed') })).json).toEqual({
      message: 'Server Error',
    });
    const noServices = await post({ docker_compose_raw: b64('volumes: {}') });
    expect(noServices.status).toBe(422);
    const extra = await post({ connect_to_docker_network: true });
    expect(extra.json).toEqual({
      message: 'Validation failed.',
      errors: { connect_to_docker_network: ['This field is not allowed.'] },
    });
    expect(await post({ environment_name: undefined, environment_uuid: null })).toMatchObject({
      status: 422,
      json: {
        message: 'You need to provide at least one of environment_name or environment_uuid.',
      },
    });
    expect((await post({ type: 'supabase' })).status).toBe(422);
    expect((await post({ project_uuid: 'nope' })).json).toEqual({ message: 'Project not found.' });
    expect((await post({ server_uuid: 'nope' })).status).toBe(404);
    expect((await post({ tags: ['x'] })).status).toBe(422);
    expect(
      (await post({ urls: [{ name: 'supabase-db', url: 'https://db.example.test' }] })).json,
    ).toEqual({
      message: 'Validation failed.',
      errors: ["Service container with 'supabase-db' not found."],
    });
    expect((await post({ name: 42 })).status).toBe(422);
    expect(sim.state.services.size).toBe(0);
  });

  it('answers 409 on domains another service uses, unless forced', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    expect((await api('POST', '/services', createBody(ids))).status).toBe(201);
    const clash = await api('POST', '/services', createBody(ids, { name: 'second' }));
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({
      message: 'Domain conflicts detected. Use force_domain_override=true to proceed.',
      conflicts: [{ domain: `https://${REF}.example.test:8000`, resource_type: 'service' }],
    });
    expect(sim.state.services.size).toBe(1);
    const forced = await api('POST', '/services', createBody(ids, { force_domain_override: true }));
    expect(forced.status).toBe(201);
  });

  it('patches allowed fields only and records every call', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const ids = await setupProject(sim, api);
    const uuid = ((await api('POST', '/services', createBody(ids))).json as { uuid: string }).uuid;
    expect((await api('PATCH', `/services/${uuid}`, { tags: ['x1'] })).status).toBe(422);
    const ok = await api('PATCH', `/services/${uuid}`, { name: 'renamed', description: null });
    expect(ok).toMatchObject({ status: 200, json: { uuid } });
    expect(sim.state.services.get(uuid)!.name).toBe('renamed');
    expect(sim.calls.map((c) => `${c.method} ${c.route} ${c.status}`)).toEqual([
      'POST /projects 201',
      'POST /services 201',
      'PATCH /services/{uuid} 422',
      'PATCH /services/{uuid} 200',
    ]);
    sim.resetCalls();
    expect(sim.calls).toHaveLength(0);
  });
});
