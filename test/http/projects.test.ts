import { randomInt } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects, type ProjectStatus } from '../../src/db/schema/index.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { expectStudioSchema } from '../support/studio-schemas.js';

let h: ApiHarness;
let owner: SignedInUser;
let servers: string[];

beforeAll(async () => {
  h = await startApiHarness();
  owner = await h.signIn('owner');
  servers = h.deps.config.COOLIFY_SERVER_UUIDS;
});
afterAll(async () => {
  await h?.close();
});

// Letters that spell none of the searched names, so a search never matches a ref by chance.
const REF_LETTERS = 'qrstuvwxyz';
const fakeRef = () => Array.from({ length: 20 }, () => REF_LETTERS[randomInt(10)]).join('');
const secretsOf = async (ref: string) =>
  (await loadProjectSecrets(h.db.db, h.deps.keyring, (await h.project(ref)).id))!;

/** A project made through the service and brought up by the simulator. */
async function activeProject(organizationId = h.org.id, name = 'Fixture'): Promise<string> {
  const p = await createProject(h.deps, { actor: { id: 'test' }, input: { organizationId, name } });
  await h.settle(p.ref, 'ACTIVE_HEALTHY');
  return p.ref;
}

describe('new-project wizard', () => {
  it('offers the Coolify servers as regions, with one "any server" group', async () => {
    const res = await h.call(
      'GET',
      `/platform/projects/available-regions?cloud_provider=AWS&organization_slug=${h.org.slug}`,
      { as: owner },
    );
    expect(res.status).toBe(200);
    expectStudioSchema('RegionsInfo', res.body);
    const body = res.body as { all: { specific: { code: string }[]; smartGroup: unknown[] } };
    expect(body.all.specific.map((r) => r.code)).toEqual(servers);
    expect(body.all.smartGroup).toHaveLength(1);
  });

  it('answers available and restore versions in Studio’s shape', async () => {
    const res = await h.call('POST', `/platform/organizations/${h.org.slug}/available-versions`, {
      as: owner,
      body: { provider: 'AWS', region: servers[0] },
    });
    expect(res.status).toBe(200);
    expectStudioSchema('AvailableVersionsResponse', res.body);
    const other = await createOrganization(h.deps, { name: 'Elsewhere wizard' });
    const denied = await h.call(
      'POST',
      `/platform/organizations/${other.slug}/available-versions`,
      {
        as: owner,
        body: {},
      },
    );
    expect(denied.status).toBe(404);
  });

  it('refuses an unknown region with a message, and a missing name', async () => {
    const bad = await h.call('POST', '/platform/projects', {
      as: owner,
      body: {
        name: 'Nowhere',
        organization_slug: h.org.slug,
        db_pass: 'a-valid-db-pass',
        cloud_provider: 'AWS',
        region_selection: { type: 'specific', code: 'us-east-1' },
      },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/Unknown region "us-east-1"/);
    const noName = await h.call('POST', '/platform/projects', {
      as: owner,
      body: { organization_slug: h.org.slug, db_pass: 'a-valid-db-pass', cloud_provider: 'AWS' },
    });
    expect(noName.status).toBe(400);
    expect((noName.body as { message: string }).message).toMatch(/name/);
  });
});

describe('project lifecycle through the routes', () => {
  it('creates on the chosen server, comes up, pauses, restores, renames and deletes', async () => {
    const created = await h.call('POST', '/platform/projects', {
      as: owner,
      body: {
        name: 'Shop',
        organization_slug: h.org.slug,
        db_pass: 'chosen-by-the-user',
        cloud_provider: 'AWS',
        region_selection: { type: 'specific', code: servers[1] },
      },
    });
    expect(created.status).toBe(201);
    expectStudioSchema('CreateProjectResponse', created.body);
    const c = created.body as Record<string, string>;
    const ref = c.ref!;
    expect(c).toMatchObject({
      status: 'COMING_UP',
      region: servers[1],
      organization_slug: h.org.slug,
      endpoint: `https://${ref}.supa.test`,
    });
    const secrets = await secretsOf(ref);
    expect(c.anon_key).toBe(secrets.SUPABASE_ANON_KEY);
    // The wizard's db_pass is the project's database password.
    expect(secrets.POSTGRES_PASSWORD).toBe('chosen-by-the-user');
    expect(c.service_key).toBe(secrets.SUPABASE_SERVICE_KEY);
    expect((await h.project(ref)).serverUuid).toBe(servers[1]);

    await h.settle(ref, 'ACTIVE_HEALTHY');
    const detail = await h.call('GET', `/platform/projects/${ref}`, { as: owner });
    expect(detail.status).toBe(200);
    expectStudioSchema('ProjectDetailResponse', detail.body);
    expect(detail.body).toMatchObject({
      status: 'ACTIVE_HEALTHY',
      connectionString: expect.stringMatching(/.+/),
      restUrl: `https://${ref}.supa.test/rest/v1/`,
      template_version: 'v2',
      dbVersion: 'supabase-postgres-17.6.1.136',
    });
    // A project created on v1 keeps it, and says so.
    await h.db.sql`update projects set template_version = 'v1' where ref = ${ref}`;
    const v1Detail = await h.call('GET', `/platform/projects/${ref}`, { as: owner });
    expect(v1Detail.body).toMatchObject({
      template_version: 'v1',
      dbVersion: 'supabase-postgres-15.8.1.085',
    });
    await h.db.sql`update projects set template_version = 'v2' where ref = ${ref}`;
    const status = await h.call('GET', `/platform/projects/${ref}/status`, { as: owner });
    expectStudioSchema('ProjectStatusResponse', status.body);

    const paused = await h.call('POST', `/platform/projects/${ref}/pause`, { as: owner });
    expect(paused.status).toBe(200);
    await h.settle(ref, 'INACTIVE');
    const pauseStatus = await h.call('GET', `/platform/projects/${ref}/pause/status`, {
      as: owner,
    });
    expect(pauseStatus.body).toMatchObject({ can_restore: true });
    const versions = await h.call('GET', `/platform/projects/${ref}/restore/versions`, {
      as: owner,
    });
    expectStudioSchema('AvailableVersionsResponse', versions.body);

    const restored = await h.call('POST', `/platform/projects/${ref}/restore`, {
      as: owner,
      body: {},
    });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ status: 'RESTORING', back_ups: [] });
    await h.settle(ref, 'ACTIVE_HEALTHY');

    const again = await h.call('POST', `/platform/projects/${ref}/restore`, { as: owner });
    expect(again.status).toBe(412);
    expect((again.body as { message: string }).message).toMatch(/cannot be restored/);

    expect((await h.call('POST', `/platform/projects/${ref}/restart`, { as: owner })).status).toBe(
      200,
    );
    await h.settle(ref, 'ACTIVE_HEALTHY');

    const renamed = await h.call('PATCH', `/platform/projects/${ref}`, {
      as: owner,
      body: { name: '  Shop (prod) ' },
    });
    expect(renamed.body).toEqual({ id: c.id, name: 'Shop (prod)', ref });
    const after = await h.call('GET', `/platform/projects/${ref}`, { as: owner });
    expect((after.body as { name: string }).name).toBe('Shop (prod)');

    const deleted = await h.call('DELETE', `/platform/projects/${ref}`, { as: owner });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: c.id, name: 'Shop (prod)', ref });
    await h.settle(ref, 'REMOVED');
    expect((await h.call('GET', `/platform/projects/${ref}`, { as: owner })).status).toBe(404);
  });

  it('accepts a smart group, a db_region name and an older org_id', async () => {
    const bodies = [
      { region_selection: { type: 'smartGroup', code: 'americas' }, organization_slug: h.org.slug },
      { db_region: `Server 3 (${servers[2]})`, organization_slug: h.org.slug },
      { org_id: h.org.id },
    ];
    for (const extra of bodies) {
      const res = await h.call('POST', '/platform/projects', {
        as: owner,
        body: { name: 'Variant', db_pass: 'a-valid-db-pass', cloud_provider: 'AWS', ...extra },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      if ('db_region' in extra) expect((res.body as { region: string }).region).toBe(servers[2]);
    }
  });

  it('returns the first project again for a repeated Idempotency-Key', async () => {
    const send = () =>
      h.call('POST', '/platform/projects', {
        as: owner,
        headers: { 'Idempotency-Key': 'wizard-submit-1' },
        body: {
          name: 'Once',
          organization_slug: h.org.slug,
          db_pass: 'a-valid-db-pass',
          cloud_provider: 'AWS',
        },
      });
    const [a, b] = [await send(), await send()];
    expect((a.body as { ref: string }).ref).toBe((b.body as { ref: string }).ref);
  });
});

describe('settings, databases and keys', () => {
  let ref: string;
  beforeAll(async () => {
    ref = await activeProject(h.org.id, 'Keys');
  });

  it('gives owners both legacy keys, the endpoint host and the JWT secret', async () => {
    const res = await h.call('GET', `/platform/projects/${ref}/settings`, { as: owner });
    expect(res.status).toBe(200);
    expectStudioSchema('ProjectSettingsResponse', res.body);
    const s = res.body as {
      app_config: { endpoint: string };
      service_api_keys: { tags: string; api_key: string }[];
      jwt_secret?: string;
    };
    const secrets = await secretsOf(ref);
    expect(s.app_config.endpoint).toBe(`${ref}.supa.test`);
    expect(s.service_api_keys.map((k) => [k.tags, k.api_key])).toEqual([
      ['anon', secrets.SUPABASE_ANON_KEY],
      ['service_role', secrets.SUPABASE_SERVICE_KEY],
    ]);
    expect(s.jwt_secret).toBe(secrets.JWT_SECRET);
  });

  it('hides the JWT secret from developers and the service key from read-only members', async () => {
    const dev = await h.signIn('developer');
    const devSettings = (await h.call('GET', `/platform/projects/${ref}/settings`, { as: dev }))
      .body as Record<string, unknown>;
    expect(devSettings.jwt_secret).toBeUndefined();
    expect((devSettings.service_api_keys as unknown[]).length).toBe(2);
    const reader = await h.signIn('read_only');
    const readSettings = await h.call('GET', `/platform/projects/${ref}/settings`, { as: reader });
    expectStudioSchema('ProjectSettingsResponse', readSettings.body);
    const keys = (readSettings.body as { service_api_keys: { tags: string }[] }).service_api_keys;
    expect(keys.map((k) => k.tags)).toEqual(['anon']);
  });

  it('lists the primary database', async () => {
    const res = await h.call('GET', `/platform/projects/${ref}/databases`, { as: owner });
    expectStudioSchema('DatabasesResponse', res.body);
    expect(res.body).toMatchObject([{ identifier: ref, connectionString: expect.any(String) }]);
  });

  it('marks every answer carrying keys Cache-Control: no-store (audit 18.8)', async () => {
    const claims = encodeURIComponent(JSON.stringify({ role: 'anon' }));
    for (const [method, path] of [
      ['GET', `/platform/projects/${ref}/settings`],
      ['GET', `/v1/projects/${ref}/api-keys?reveal=true`],
      ['POST', `/platform/projects/${ref}/api-keys/temporary?claims=${claims}`],
      ['GET', '/platform/profile/access-tokens'],
      ['GET', '/auth/v1/user'],
    ] as const) {
      const res = await h.call(method, path, { as: owner });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('mints a temporary service_role key signed with the project secret, capped at an hour', async () => {
    const claims = encodeURIComponent(JSON.stringify({ role: 'service_role' }));
    const res = await h.call(
      'POST',
      `/platform/projects/${ref}/api-keys/temporary?authorization_exp=300&claims=${claims}`,
      { as: owner },
    );
    expect(res.status).toBe(200);
    const key = (res.body as { api_key: string }).api_key;
    const secret = new TextEncoder().encode((await secretsOf(ref)).JWT_SECRET);
    const { payload } = await jwtVerify(key, secret);
    expect(payload.role).toBe('service_role');
    expect(payload.exp! - payload.iat!).toBe(300);
    await expect(
      jwtVerify(key, secret, { currentDate: new Date((payload.exp! + 1) * 1000) }),
    ).rejects.toBeInstanceOf(joseErrors.JWTExpired);
    await expect(jwtVerify(key, new TextEncoder().encode('another-secret'))).rejects.toThrow();

    const long = await h.call(
      'POST',
      `/platform/projects/${ref}/api-keys/temporary?authorization_exp=999999&claims=${claims}`,
      { as: owner },
    );
    const { payload: p2 } = await jwtVerify((long.body as { api_key: string }).api_key, secret);
    expect(p2.exp! - p2.iat!).toBe(3600);
  });

  it('refuses other roles and claims, and service_role for read-only members', async () => {
    const reader = await h.signIn('read_only');
    const url = (claims: unknown) =>
      `/platform/projects/${ref}/api-keys/temporary?claims=${encodeURIComponent(JSON.stringify(claims))}`;
    expect((await h.call('POST', url({ role: 'anon' }), { as: reader })).status).toBe(200);
    expect((await h.call('POST', url({ role: 'service_role' }), { as: reader })).status).toBe(403);
    for (const bad of [{ role: 'postgres' }, { role: 'anon', sub: 'x' }, ['anon']]) {
      const res = await h.call('POST', url(bad), { as: owner });
      expect(res.status).toBe(400);
      expect((res.body as { message: string }).message).toBeTruthy();
    }
    const notJson = await h.call(
      'POST',
      `/platform/projects/${ref}/api-keys/temporary?claims=%7B`,
      {
        as: owner,
      },
    );
    expect(notJson.status).toBe(400);
    const badExp = await h.call(
      'POST',
      `/platform/projects/${ref}/api-keys/temporary?authorization_exp=-5`,
      { as: owner },
    );
    expect(badExp.status).toBe(400);
  });
});

describe('project lists', () => {
  const NAMES = ['alpha', 'Bravo', 'charlie', 'Delta', 'echo', 'foxtrot'];
  const STATUSES: ProjectStatus[] = ['ACTIVE_HEALTHY', 'INACTIVE', 'COMING_UP'];
  let org: { id: number; slug: string };
  let member: SignedInUser;

  beforeAll(async () => {
    org = await createOrganization(h.deps, { name: 'Many projects' });
    member = await h.signIn('developer', org.id);
    // Rows straight into the table: the lists only read them, and 1,500 through Coolify would take minutes.
    const base = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 1500 }, (_, i) => ({
      ref: fakeRef(),
      name: i < NAMES.length ? NAMES[i]! : `bulk ${String(i).padStart(4, '0')}`,
      organizationId: org.id,
      status: i < NAMES.length ? STATUSES[i % 3]! : ('ACTIVE_HEALTHY' as const),
      serverUuid: servers[0]!,
      templateVersion: 'v1',
      createdAt: new Date(base + i * 60_000),
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await h.db.db.insert(projects).values(rows.slice(i, i + 500));
    }
    await h.db.db
      .insert(projects)
      .values({ ...rows[0]!, ref: fakeRef(), name: 'gone', status: 'REMOVED' });
  });

  const orgList = (query: string, as = member) =>
    h.call('GET', `/platform/organizations/${org.slug}/projects?${query}`, { as });

  it('pages with a total count, in Studio’s shape', async () => {
    const first = await orgList('limit=96&offset=0&sort=name_asc');
    expect(first.status).toBe(200);
    expectStudioSchema('OrganizationProjectsResponse', first.body);
    const body = first.body as { pagination: unknown; projects: { name: string; ref: string }[] };
    expect(body.pagination).toEqual({ count: 1500, limit: 96, offset: 0 });
    expect(body.projects).toHaveLength(96);
    expect(body.projects.slice(0, 3).map((p) => p.name)).toEqual(['alpha', 'Bravo', 'bulk 0006']);
    const last = await orgList('limit=96&offset=1440&sort=name_asc');
    expect((last.body as { projects: unknown[] }).projects).toHaveLength(60);
  });

  it('sorts, searches and filters by status in SQL, fast with 1,500 projects', async () => {
    const first = await orgList('limit=1&sort=name_asc');
    const desc = await orgList('limit=2&sort=name_desc');
    expect((desc.body as { projects: { name: string }[] }).projects.map((p) => p.name)).toEqual([
      'foxtrot',
      'echo',
    ]);
    const newest = await orgList('limit=1&sort=created_desc');
    expect((newest.body as { projects: { name: string }[] }).projects[0]!.name).toBe('bulk 1499');
    const oldest = await orgList('limit=1&sort=created_asc');
    expect((oldest.body as { projects: { name: string }[] }).projects[0]!.name).toBe('alpha');

    const started = Date.now();
    const search = await orgList('limit=10&search=ha');
    expect(Date.now() - started).toBeLessThan(1500);
    expect((search.body as { projects: { name: string }[] }).projects.map((p) => p.name)).toEqual([
      'alpha',
      'charlie',
    ]);
    const byRef = (first.body as { projects: { ref: string }[] }).projects[0]!.ref;
    const refSearch = await orgList(`search=${byRef.slice(0, 12)}`);
    expect((refSearch.body as { projects: { ref: string }[] }).projects.map((p) => p.ref)).toEqual([
      byRef,
    ]);
    const wildcard = await orgList('search=%25');
    expect((wildcard.body as { pagination: { count: number } }).pagination.count).toBe(0);

    const paused = await orgList('statuses=INACTIVE,COMING_UP');
    const pausedBody = paused.body as { projects: { name: string; status: string }[] };
    expect(pausedBody.projects.map((p) => p.name).sort()).toEqual([
      'Bravo',
      'charlie',
      'echo',
      'foxtrot',
    ]);
    expectStudioSchema('OrganizationProjectsResponse', paused.body);
  });

  it('rejects malformed paging with 400', async () => {
    for (const q of [
      'limit=0',
      'limit=500',
      'offset=-1',
      'sort=size',
      'statuses=GONE',
      'limit=x',
    ]) {
      const res = await orgList(q);
      expect(res.status, q).toBe(400);
      expect((res.body as { message: string }).message).toBeTruthy();
    }
  });

  it('lists every organization’s projects for the user, paginated with Version: 2', async () => {
    const both = await h.signIn('read_only', org.id);
    const res = await h.call('GET', '/platform/projects?limit=5&offset=0', {
      as: both,
      headers: { Version: '2' },
    });
    expect(res.status).toBe(200);
    expectStudioSchema('ListProjectsPaginatedResponse', res.body);
    expect((res.body as { pagination: { count: number } }).pagination.count).toBe(1500);

    const legacy = await h.call('GET', '/platform/projects', { as: owner });
    expect(legacy.status).toBe(200);
    const items = legacy.body as { organization_slug: string }[];
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expectStudioSchema('ProjectInfo', item);
    expect(items.every((p) => p.organization_slug === h.org.slug)).toBe(true);
  });
});

describe('access', () => {
  let ref: string;
  let otherRef: string;
  beforeAll(async () => {
    ref = await activeProject(h.org.id, 'Guarded');
    const other = await createOrganization(h.deps, { name: 'Other tenant' });
    otherRef = await activeProject(other.id, 'Theirs');
  });

  const reads = (r: string) => [
    `/platform/projects/${r}`,
    `/platform/projects/${r}/status`,
    `/platform/projects/${r}/settings`,
    `/platform/projects/${r}/databases`,
    `/platform/projects/${r}/pause/status`,
    `/platform/projects/${r}/restore/versions`,
    `/platform/projects/${r}/config/postgrest`,
    `/platform/projects/${r}/config/storage`,
    `/platform/projects/${r}/config/supavisor`,
    `/platform/projects/${r}/billing/addons`,
    `/platform/props/project/${r}/jwt-secret-update-status`,
  ];
  const mutations = (r: string): [string, string, unknown?][] => [
    ['POST', `/platform/projects/${r}/pause`],
    ['POST', `/platform/projects/${r}/restore`, {}],
    ['POST', `/platform/projects/${r}/restart`],
    ['POST', `/platform/projects/${r}/restart-services`],
    ['PATCH', `/platform/projects/${r}`, { name: 'x' }],
    ['DELETE', `/platform/projects/${r}`],
  ];

  it('answers 401 without a token', async () => {
    for (const path of [
      ...reads(ref),
      '/platform/projects',
      '/platform/projects/available-regions',
    ]) {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(401);
      expect((res.body as { message: string }).message).toBeTruthy();
    }
    for (const [method, path, body] of mutations(ref)) {
      expect((await h.call(method, path, { body })).status, path).toBe(401);
    }
    expect((await h.call('POST', '/platform/projects', { body: {} })).status).toBe(401);
  });

  it('hides another organization’s projects (404)', async () => {
    for (const path of reads(otherRef)) {
      expect((await h.call('GET', path, { as: owner })).status, path).toBe(404);
    }
    for (const [method, path, body] of mutations(otherRef)) {
      expect((await h.call(method, path, { as: owner, body })).status, path).toBe(404);
    }
    const other = await h.call('GET', '/platform/organizations/no-such-org/projects', {
      as: owner,
    });
    expect(other.status).toBe(404);
    expect((await h.project(otherRef)).status).toBe('ACTIVE_HEALTHY');
  });

  it('lets read-only members read but not change (403)', async () => {
    const reader = await h.signIn('read_only');
    for (const path of reads(ref)) {
      expect((await h.call('GET', path, { as: reader })).status, path).toBe(200);
    }
    for (const [method, path, body] of mutations(ref)) {
      const res = await h.call(method, path, { as: reader, body });
      expect(res.status, path).toBe(403);
      expect((res.body as { message: string }).message).toMatch(/role/);
    }
    const create = await h.call('POST', '/platform/projects', {
      as: reader,
      body: {
        name: 'No',
        organization_slug: h.org.slug,
        db_pass: 'a-valid-db-pass',
        cloud_provider: 'AWS',
      },
    });
    expect(create.status).toBe(403);
    const dev = await h.signIn('developer');
    expect((await h.call('POST', `/platform/projects/${ref}/pause`, { as: dev })).status).toBe(403);
    expect((await h.project(ref)).status).toBe('ACTIVE_HEALTHY');
  });
});
