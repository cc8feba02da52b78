import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema/index.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';

let h: ApiHarness;
let owner: SignedInUser;
let ref: string;
let otherRef: string;

beforeAll(async () => {
  h = await startApiHarness({ startRunner: false });
  owner = await h.signIn('owner');
  // Settings pages only read the row and its secrets: the project need not run.
  ref = (
    await createProject(h.deps, {
      actor: { id: 'test' },
      input: { organizationId: h.org.id, name: 'Settings' },
    })
  ).ref;
  const other = await createOrganization(h.deps, { name: 'Other misc' });
  const [row] = await h.db.db
    .insert(projects)
    .values({
      ref: Array.from({ length: 20 }, () => 'klmnop'[randomInt(6)]).join(''),
      name: 'Theirs',
      organizationId: other.id,
      status: 'ACTIVE_HEALTHY',
      serverUuid: h.deps.config.COOLIFY_SERVER_UUIDS[0]!,
      templateVersion: 'v1',
    })
    .returning();
  otherRef = row!.ref;
});
afterAll(async () => {
  await h?.close();
});

describe('public stubs (Studio calls them before sign-in)', () => {
  it('answers feature flags, telemetry and status without a token', async () => {
    const flags = await h.call('GET', '/platform/telemetry/feature-flags?organization_slug=x');
    expect(flags).toMatchObject({ status: 200, body: {} });
    for (const path of ['page', 'event', 'identify', 'page-leave', 'groups/identify', 'reset']) {
      const res = await h.call('POST', `/platform/telemetry/${path}`, { body: { anything: 1 } });
      expect(res.status, path).toBe(200);
    }
    expect((await h.call('GET', '/platform/status')).body).toEqual({});
  });
});

describe('signed-in stubs', () => {
  const stubs: [string, string, unknown][] = [
    ['GET', '/platform/notifications', []],
    ['PATCH', '/platform/notifications', []],
    ['PATCH', '/platform/notifications/archive-all', {}],
    [
      'GET',
      '/platform/notifications/summary',
      { has_critical: false, has_warning: false, unread_count: 0 },
    ],
    ['GET', '/platform/stripe/invoices/overdue', []],
    ['GET', '/platform/projects-resource-warnings', []],
    ['GET', '/platform/integrations', []],
    ['GET', '/platform/profile/audit', { result: [], retention_period: 0 }],
    ['POST', '/platform/profile/audit-login', {}],
  ];

  it('answer empty shapes to members and 401 without a token', async () => {
    for (const [method, path, body] of stubs) {
      const res = await h.call(method, path, { as: owner, headers: { Version: '2' } });
      expect(res.status, path).toBe(200);
      expect(res.body, path).toEqual(body);
      const anonymous = await h.call(method, path);
      expect(anonymous.status, path).toBe(401);
      expect((anonymous.body as { message: string }).message).toBeTruthy();
    }
    expect(
      (await h.call('GET', `/platform/integrations/${h.org.slug}`, { as: owner })).body,
    ).toEqual([]);
    expect((await h.call('GET', '/platform/integrations/not-mine', { as: owner })).status).toBe(
      404,
    );
  });

  it('answers project-level stubs only to the project’s members', async () => {
    const paths = [
      `/platform/projects/${ref}/run-lints`,
      `/platform/projects/${ref}/infra-monitoring?attribute=ram_usage`,
      `/platform/projects/${ref}/daily-stats`,
      `/platform/projects/${ref}/analytics/endpoints/logs.all?sql=select`,
    ];
    for (const path of paths) {
      expect((await h.call('GET', path, { as: owner })).status, path).toBe(200);
      expect((await h.call('GET', path)).status, path).toBe(401);
      const theirs = path.replace(ref, otherRef);
      expect((await h.call('GET', theirs, { as: owner })).status, theirs).toBe(404);
    }
    const lints = await h.call('GET', paths[0]!, { as: owner });
    expect(lints.body).toEqual([]);
    const infra = await h.call('GET', paths[1]!, { as: owner });
    expect(infra.body).toMatchObject({ data: [] });
    const logs = await h.call('POST', `/platform/projects/${ref}/analytics/endpoints/logs.all`, {
      as: owner,
      body: { sql: 'select 1' },
    });
    expect(logs.body).toEqual({ result: [] });
  });
});

describe('project settings pages', () => {
  it('shows the template’s PostgREST settings, with the JWT secret for admins only', async () => {
    const secrets = (await loadProjectSecrets(h.db.db, h.deps.keyring, (await h.project(ref)).id))!;
    const res = await h.call('GET', `/platform/projects/${ref}/config/postgrest`, { as: owner });
    expect(res.body).toMatchObject({
      db_anon_role: 'anon',
      db_schema: 'public,storage,graphql_public',
      max_rows: 1000,
      role_claim_key: '.role',
      jwt_secret: secrets.JWT_SECRET,
    });
    const dev = await h.signIn('developer');
    const devView = await h.call('GET', `/platform/projects/${ref}/config/postgrest`, { as: dev });
    expect((devView.body as { jwt_secret: string }).jwt_secret).toBe('');
  });

  it('answers storage, realtime, pooler, add-ons, versions and JWT status', async () => {
    const get = async (path: string) => {
      const res = await h.call('GET', `/platform${path}`, { as: owner });
      expect(res.status, path).toBe(200);
      return res.body;
    };
    expect(await get(`/projects/${ref}/config/storage`)).toMatchObject({
      fileSizeLimit: 52_428_800,
      features: { imageTransformation: { enabled: true }, s3Protocol: { enabled: false } },
    });
    expect(await get(`/projects/${ref}/config/realtime`)).toMatchObject({ private_only: false });
    // A v2 project's stack runs a PgBouncer (test/http/connections.test.ts has the strings).
    expect(await get(`/projects/${ref}/config/supavisor`)).toMatchObject([{ db_port: 6543 }]);
    expect(await get(`/projects/${ref}/config/pgbouncer`)).toMatchObject({
      pgbouncer_enabled: true,
      pgbouncer_status: 'ENABLED',
      db_host: `db.${ref}.supa.test`,
    });
    expect(await get(`/projects/${ref}/billing/addons`)).toEqual({
      ref,
      available_addons: [],
      selected_addons: [],
    });
    expect(await get(`/projects/${ref}/service-versions`)).toMatchObject({
      gotrue: expect.any(String),
      postgrest: expect.any(String),
      'supabase-postgres': expect.any(String),
    });
    expect(await get(`/props/project/${ref}/jwt-secret-update-status`)).toEqual({
      jwtSecretUpdateStatus: null,
    });
    const malformed = await h.call('GET', '/platform/projects/NOT-A-REF/config/storage', {
      as: owner,
    });
    expect(malformed.status).toBe(400);
    expect((malformed.body as { message: string }).message).toMatch(/ref/);
  });
});
