import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../../src/organizations/organizations.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import { REGION_CODES } from '../../src/http/v1/project-views.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

let env: V1Env;
let owner: SignedInUser;
let servers: string[];

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  servers = env.h.deps.config.COOLIFY_SERVER_UUIDS;
});
afterAll(() => env?.close());

const call = (method: string, path: string, body?: unknown, as = owner, headers = {}) =>
  env.h.call(method, path, { as, body, headers });

interface V1Project {
  ref: string;
  id: string;
  name: string;
  region: string;
  status: string;
  organization_slug: string;
  organization_id: string;
}

describe('/v1/organizations', () => {
  it('creates an organization owned by the caller and shows it', async () => {
    const created = await call('POST', '/v1/organizations', { name: 'Made by API' });
    expect(created.status).toBe(201);
    const org = created.body as { id: string; slug: string; name: string };
    expect(org).toMatchObject({ name: 'Made by API', id: org.slug });

    const list = await call('GET', '/v1/organizations');
    expect((list.body as { slug: string }[]).map((o) => o.slug).sort()).toEqual(
      [env.h.org.slug, org.slug].sort(),
    );
    const detail = await call('GET', `/v1/organizations/${org.slug}`);
    expect(detail.body).toEqual({
      id: org.slug,
      name: 'Made by API',
      plan: 'free',
      opt_in_tags: [],
      allowed_release_channels: ['ga'],
    });
    const members = await call('GET', `/v1/organizations/${org.slug}/members`);
    expect(members.body).toEqual([
      expect.objectContaining({ user_id: owner.user.id, role_name: 'Owner', mfa_enabled: false }),
    ]);
    expect((await call('POST', '/v1/organizations', { name: 'x', extra: 1 })).status).toBe(400);
  });

  it('pages, searches, sorts and filters an organization’s projects', async () => {
    const org = await createOrganization(env.h.deps, { name: `Paged ${Date.now()}` });
    const member = await env.h.signIn('read_only', org.id);
    const refs: string[] = [];
    for (const name of ['Charlie', 'alpha', 'Bravo']) {
      const res = await call(
        'POST',
        '/v1/projects',
        { name, organization_slug: org.slug, db_pass: 'correct-horse-battery' },
        owner,
      );
      // owner is not a member of `org`: 404; the read-only member cannot create: 403.
      expect(res.status).toBe(404);
      const denied = await call(
        'POST',
        '/v1/projects',
        { name, organization_slug: org.slug, db_pass: 'correct-horse-battery' },
        member,
      );
      expect(denied.status).toBe(403);
      refs.push(await env.activeProject(name, org.id));
    }
    const base = `/v1/organizations/${org.slug}/projects`;
    const page = await call('GET', `${base}?limit=2&offset=0&sort=name_asc`, undefined, member);
    expect(page.status).toBe(200);
    const body = page.body as { projects: { name: string }[]; pagination: object };
    expect(body.projects.map((p) => p.name)).toEqual(['alpha', 'Bravo']);
    expect(body.pagination).toEqual({ count: 3, limit: 2, offset: 0 });
    const next = await call('GET', `${base}?limit=2&offset=2&sort=name_asc`, undefined, member);
    expect((next.body as typeof body).projects.map((p) => p.name)).toEqual(['Charlie']);
    const desc = await call('GET', `${base}?sort=name_desc&search=a`, undefined, member);
    expect((desc.body as typeof body).projects.map((p) => p.name)).toEqual([
      'Charlie',
      'Bravo',
      'alpha',
    ]);
    const search = await call('GET', `${base}?search=rav`, undefined, member);
    expect((search.body as typeof body).projects.map((p) => p.name)).toEqual(['Bravo']);
    const inactive = await call('GET', `${base}?statuses=INACTIVE`, undefined, member);
    expect((inactive.body as typeof body).projects).toEqual([]);
    const active = await call('GET', `${base}?statuses=ACTIVE_HEALTHY,INACTIVE`, undefined, member);
    expect((active.body as typeof body).pagination).toMatchObject({ count: 3 });
    for (const bad of ['?statuses=NOPE', '?limit=0', '?limit=101', '?sort=size', '?offset=-1']) {
      expect((await call('GET', `${base}${bad}`, undefined, member)).status, bad).toBe(400);
    }
  });
});

describe('/v1/projects', () => {
  it('lists regions, one per Coolify server', async () => {
    const res = await call(
      'GET',
      `/v1/projects/available-regions?organization_slug=${env.h.org.slug}`,
    );
    expect(res.status).toBe(200);
    const body = res.body as { all: { specific: { code: string; name: string }[] } };
    expect(body.all.specific.map((r) => r.code)).toEqual(REGION_CODES.slice(0, servers.length));
    expect(body.all.specific[1]!.name).toContain(servers[1]);
    const missing = await call('GET', '/v1/projects/available-regions?organization_slug=nope');
    expect(missing.status).toBe(404);
  });

  it('creates a project on the chosen server with the given password, idempotently', async () => {
    const body = {
      name: 'Created by v1',
      organization_slug: env.h.org.slug,
      db_pass: 'Sup3r-secret.pass',
      region_selection: { type: 'specific', code: REGION_CODES[1] },
    };
    const key = { 'Idempotency-Key': `k-${Date.now()}` };
    const first = await call('POST', '/v1/projects', body, owner, key);
    expect(first.status).toBe(201);
    const project = first.body as V1Project;
    expect(project).toMatchObject({
      id: project.ref,
      name: 'Created by v1',
      region: REGION_CODES[1],
      status: 'COMING_UP',
      organization_slug: env.h.org.slug,
      organization_id: env.h.org.slug,
    });
    const row = await env.h.project(project.ref);
    expect(row.serverUuid).toBe(servers[1]);
    const secrets = await loadProjectSecrets(env.h.db.db, env.h.deps.keyring, row.id);
    expect(secrets?.POSTGRES_PASSWORD).toBe('Sup3r-secret.pass');

    const again = await call('POST', '/v1/projects', body, owner, key);
    expect(again.status).toBe(201);
    expect((again.body as V1Project).ref).toBe(project.ref);

    const byRegion = await call('POST', '/v1/projects', {
      ...body,
      region_selection: undefined,
      region: servers[2],
    });
    expect(byRegion.status).toBe(201);
    expect((await env.h.project((byRegion.body as V1Project).ref)).serverUuid).toBe(servers[2]);
    await env.h.settle(project.ref, 'ACTIVE_HEALTHY');
  });

  it('refuses unknown regions, weak passwords and stray fields with 400', async () => {
    const ok = { name: 'x', organization_slug: env.h.org.slug, db_pass: 'long-enough-pass' };
    for (const body of [
      { ...ok, region: 'eu-central-2' },
      { ...ok, region_selection: { type: 'specific', code: 'mars-1' } },
      { ...ok, region_selection: { type: 'smartGroup', code: 'mars' } },
      { ...ok, region: REGION_CODES[0], region_selection: { type: 'smartGroup', code: 'emea' } },
      { ...ok, db_pass: 'has space and $' },
      { ...ok, db_pass: 'short' },
      { ...ok, unknown_field: true },
      { ...ok, desired_instance_size: 'micro' },
      { ...ok, postgres_engine: '17' },
      { name: 'x', db_pass: 'long-enough-pass' },
    ]) {
      const res = await call('POST', '/v1/projects', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ message: expect.any(String) });
    }
  });

  it('gets, lists, renames, pauses, restores and deletes', async () => {
    const ref = await env.activeProject('Lifecycle');
    const got = await call('GET', `/v1/projects/${ref}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      ref,
      status: 'ACTIVE_HEALTHY',
      // New projects run template v2, on Postgres 17.
      template_version: 'v2',
      database: {
        host: expect.stringContaining(ref),
        version: '17.6.1.136',
        postgres_engine: '17',
      },
    });
    const all = await call('GET', '/v1/projects');
    expect((all.body as V1Project[]).map((p) => p.ref)).toContain(ref);

    const renamed = await call('PATCH', `/v1/projects/${ref}`, { name: 'Renamed' });
    expect(renamed.body).toEqual({ id: (await env.h.project(ref)).id, ref, name: 'Renamed' });

    const dev = await env.h.signIn('developer');
    expect((await call('POST', `/v1/projects/${ref}/pause`, undefined, dev)).status).toBe(403);
    const pause = await call('POST', `/v1/projects/${ref}/pause`);
    expect(pause.status).toBe(200);
    await env.h.settle(ref, 'INACTIVE');
    const versions = await call('GET', `/v1/projects/${ref}/restore`);
    expect(versions.body).toEqual({ available_versions: [] });
    expect((await call('POST', `/v1/projects/${ref}/pause`)).status).toBe(412);
    expect((await call('POST', `/v1/projects/${ref}/restore`)).status).toBe(200);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    const del = await call('DELETE', `/v1/projects/${ref}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ ref, name: 'Renamed' });
    await env.h.settle(ref, 'REMOVED');
    expect((await call('GET', `/v1/projects/${ref}`)).status).toBe(404);
  });

  it('reports service health through the gateway', async () => {
    const ref = await env.activeProject('Health');
    const res = await call(
      'GET',
      `/v1/projects/${ref}/health?services=auth,rest,db,storage,realtime`,
    );
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      (res.body as { name: string; status: string; healthy: boolean }[]).map((s) => [s.name, s]),
    );
    for (const name of ['auth', 'rest', 'db', 'storage']) {
      expect(byName[name], name).toMatchObject({ healthy: true, status: 'ACTIVE_HEALTHY' });
    }
    expect(byName.auth).toMatchObject({ info: { name: 'GoTrue', version: 'v2.186.0' } });
    // The simulator's gateway has no Realtime.
    expect(byName.realtime).toMatchObject({ healthy: false, status: 'UNHEALTHY' });
    const repeated = await call('GET', `/v1/projects/${ref}/health?services=auth&services=db`);
    expect((repeated.body as unknown[]).length).toBe(2);
    // As Supabase's MCP server asks. A v2 stack runs a PgBouncer, healthy with its stack.
    const mcp = await call('GET', `/v1/projects/${ref}/health?services=auth&services=pooler`);
    expect(mcp.body).toEqual([
      expect.objectContaining({ name: 'auth', healthy: true }),
      { name: 'pooler', healthy: true, status: 'ACTIVE_HEALTHY' },
    ]);
    // On v1, whose stack runs none, the pooler is reported, truthfully, as not there.
    await env.h.db.sql`update projects set template_version = 'v1' where ref = ${ref}`;
    const v1 = await call('GET', `/v1/projects/${ref}/health?services=pooler,pg_bouncer`);
    expect(v1.body).toEqual([
      expect.objectContaining({
        name: 'pooler',
        healthy: false,
        status: 'UNHEALTHY',
        error: expect.stringContaining('template v1'),
      }),
      expect.objectContaining({ name: 'pg_bouncer', healthy: false }),
    ]);
    await env.h.db.sql`update projects set template_version = 'v2' where ref = ${ref}`;
    expect((await call('GET', `/v1/projects/${ref}/health?services=nope`)).status).toBe(400);
    expect((await call('GET', `/v1/projects/${ref}/health`)).status).toBe(400);

    await call('POST', `/v1/projects/${ref}/pause`);
    await env.h.settle(ref, 'INACTIVE');
    // (The test gateway serves /pg/ whatever the stack does; the simulator's gateway does not.)
    const down = await call(
      'GET',
      `/v1/projects/${ref}/health?services=auth,rest,pooler&timeout_ms=2000`,
    );
    expect(down.body).toEqual([
      expect.objectContaining({ name: 'auth', healthy: false, status: 'UNHEALTHY' }),
      expect.objectContaining({ name: 'rest', healthy: false, status: 'UNHEALTHY' }),
      expect.objectContaining({
        name: 'pooler',
        healthy: false,
        status: 'UNHEALTHY',
        error: 'The project is INACTIVE',
      }),
    ]);
  });

  it('answers 404 with a message for endpoints it does not serve and for unknown refs', async () => {
    for (const [method, path] of [
      ['GET', '/v1/projects/abcdefghijklmnopqrst'],
      ['GET', '/v1/projects/abcdefghijklmnopqrst/functions'],
      ['PUT', `/v1/projects/abcdefghijklmnopqrst/api-keys/legacy?enabled=false`],
      ['GET', '/v1/branches/x'],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ message: expect.any(String) });
    }
  });
});
