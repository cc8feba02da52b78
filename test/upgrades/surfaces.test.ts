import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { SupabaseManagementAPI, SupabaseManagementAPIError } from 'supabase-management-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema/index.js';
import { generateProjectSecrets } from '../../src/secrets/generate.js';
import { saveProjectSecrets } from '../../src/secrets/store.js';
import { createProject } from '../../src/projects/projects.js';
import { DATABASE_UPGRADE_STATUS } from '../../src/upgrades/management-api.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { contractProblems } from '../support/v1-spec.js';
import { upgraded } from './support.js';

// The /v1 upgrade routes Studio's pinned hooks call with its dashboard session
// (apps/studio/data/projects/project-upgrade-mutation.ts, data/config/project-upgrade-*-query.ts)
// and Management API clients call with a token; every answer is checked against
// openapi-v1.json. The project database route leads nowhere (a closed loopback port): the
// upgrade of the v1 project cannot take its backup, so it rolls back, and the status shows it.

let h: ApiHarness;
let owner: SignedInUser;
let v1Ref: string;
let v2Ref: string;

beforeAll(async () => {
  h = await startApiHarness({
    startRunner: false,
    env: {
      SUPAPLANE_UPGRADE_STEP_TIMEOUT_MS: '1500',
      SUPAPLANE_UPGRADE_POLL_MS: '200',
      SUPAPLANE_PROJECT_DATABASE_URL:
        'postgresql://supabase_admin@127.0.0.1:1/postgres?application_name={ref}',
    },
  });
  owner = await h.signIn('owner');
  const v1 = await createProject(h.deps, {
    actor: { id: 't' },
    input: { organizationId: h.org.id, name: 'old' },
  });
  await h.db.db.update(projects).set({ templateVersion: 'v1' }).where(eq(projects.id, v1.id));
  await saveProjectSecrets(h.db.db, h.deps.keyring, v1.id, await generateProjectSecrets('v1'));
  const v2 = await createProject(h.deps, {
    actor: { id: 't' },
    input: { organizationId: h.org.id, name: 'new' },
  });
  h.runner.start();
  await h.settle(v1.ref, 'ACTIVE_HEALTHY');
  await h.settle(v2.ref, 'ACTIVE_HEALTHY');
  v1Ref = v1.ref;
  v2Ref = v2.ref;
}, 60_000);
afterAll(() => h?.close());

async function call(
  method: string,
  path: string,
  opts: { as?: SignedInUser; body?: unknown } = {},
) {
  const res = await h.call(method, path, { as: opts.as ?? owner, body: opts.body });
  const check = contractProblems(method, path, res.status, res.body);
  expect(check.problems, `${method} ${path} ${res.status} ${JSON.stringify(res.body)}`).toEqual([]);
  return res;
}

describe('upgrade routes', () => {
  it('through supabase-management-js with a personal access token', async () => {
    const pat = await h.call('POST', '/platform/profile/access-tokens', {
      as: owner,
      body: { name: 'up' },
    });
    const server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    try {
      const client = new SupabaseManagementAPI({
        accessToken: (pat.body as { token: string }).token,
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      expect((await client.getPostgresUpgradeEligibility(v1Ref)).data).toMatchObject({
        eligible: true,
        target_upgrade_versions: [{ postgres_version: '15' }],
      });
      expect((await client.getPostgresUpgradeStatus(v2Ref, {})).data).toEqual({
        databaseUpgradeStatus: null,
      });
      const refused = await client
        .upgradePostgresVersion(v2Ref, { target_version: 'v2' })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SupabaseManagementAPIError);
      expect((refused as SupabaseManagementAPIError).message).toMatch(/already runs template v2/);
    } finally {
      server.close();
    }
  });

  it('eligibility: v1 can go to v2 on its own Postgres major; v2 has nowhere to go', async () => {
    const old = await call('GET', `/v1/projects/${v1Ref}/upgrade/eligibility`);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({
      eligible: true,
      current_app_version: 'supaplane-v1-supabase-postgres-15.8.1.085',
      latest_app_version: 'supaplane-v2-supabase-postgres-15.8.1.085',
      target_upgrade_versions: [
        {
          postgres_version: '15',
          release_channel: 'ga',
          app_version: 'supaplane-v2-supabase-postgres-15.8.1.085',
        },
      ],
    });
    const fresh = await call('GET', `/v1/projects/${v2Ref}/upgrade/eligibility`);
    expect(fresh.body).toMatchObject({ eligible: false, target_upgrade_versions: [] });
    expect((await call('GET', `/v1/projects/${v2Ref}/upgrade/status`)).body).toEqual({
      databaseUpgradeStatus: null,
    });
  });

  it('bad targets are 4xx with a message, never a 500', async () => {
    const major = await call('POST', `/v1/projects/${v1Ref}/upgrade`, {
      body: { target_version: '17' },
    });
    expect(major.status).toBe(400);
    expect((major.body as { message: string }).message).toMatch(/keeps the project's Postgres 15/);
    const same = await call('POST', `/v1/projects/${v2Ref}/upgrade`, {
      body: { target_version: 'v2' },
    });
    expect(same.status).toBe(412);
    expect((same.body as { message: string }).message).toMatch(/already runs template v2/);
    const member = await h.signIn('developer');
    const denied = await h.call('POST', `/v1/projects/${v1Ref}/upgrade`, {
      as: member,
      body: { target_version: '15' },
    });
    expect(denied.status).toBe(403);
  });

  it("start as Studio does (the project's major as target_version), follow the status to its end", async () => {
    const started = await call('POST', `/v1/projects/${v1Ref}/upgrade`, {
      body: { target_version: '15' },
    });
    expect(started.status).toBe(201);
    const trackingId = (started.body as { tracking_id: string }).tracking_id;
    const again = await call('POST', `/v1/projects/${v1Ref}/upgrade`, {
      body: { target_version: '15' },
    });
    expect(again.body).toEqual({ tracking_id: trackingId }); // idempotent while it runs
    const during = await call(
      'GET',
      `/v1/projects/${v1Ref}/upgrade/status?tracking_id=${trackingId}`,
    );
    expect(during.body).toMatchObject({
      databaseUpgradeStatus: { status: DATABASE_UPGRADE_STATUS.Upgrading, target_version: 15 },
    });
    h.runner.start();
    const back = await upgraded(h, v1Ref);
    expect(back).toMatchObject({ status: 'ACTIVE_HEALTHY', templateVersion: 'v1' });
    expect(back.lastError).toMatch(/failed at step backup: cannot connect to the project database/);
    const after = await call('GET', `/v1/projects/${v1Ref}/upgrade/status`);
    expect(after.body).toMatchObject({
      databaseUpgradeStatus: { status: DATABASE_UPGRADE_STATUS.Failed, error: expect.any(String) },
    });
    const project = await call('GET', `/v1/projects/${v1Ref}`);
    expect(project.body).toMatchObject({ status: 'ACTIVE_HEALTHY', template_version: 'v1' });
  }, 60_000);
});
