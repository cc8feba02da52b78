import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addMember, createUser } from '../../src/identity/users.js';
import { startApiHarness, STUDIO_ORIGIN, type ApiHarness } from '../support/api.js';
import { withDatabase } from '../support/global-setup.js';
import { startPgMeta, type PgMeta } from '../support/pg-meta.js';
import { expectStudioSchema } from '../support/studio-schemas.js';
import { expectStudioShape } from '../support/studio-shapes.js';
import { totp } from '../../src/mfa/totp.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Replays what an unmodified platform-mode Studio calls, in the order of
 * ENDPOINTS.md §4: sign in, first load, org home, new-project wizard, detail
 * polling, settings and keys, SQL editor, table list, auth users, buckets,
 * pause, restore, delete. Every P0/P1 call must succeed.
 */
let h: ApiHarness;
let gateway: TestGateway;
let pgMeta: PgMeta;
let projectDbName: string;
const email = 'studio@example.com';
const password = 'studio password 123';
const log: { call: string; status: number }[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  h = await startApiHarness({ env: { SUPAPLANE_GATEWAY_URL: gateway.template } });
  projectDbName = `studio_${randomBytes(5).toString('hex')}`;
  const admin = postgres(inject('pgUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${projectDbName}`);
  await admin.end();
  pgMeta = await startPgMeta(withDatabase(inject('pgUrl'), projectDbName));
  gateway.attach({
    db: h.db.db,
    keyring: h.deps.keyring,
    pgMetaUrl: pgMeta.url,
    fallbackTemplate: h.sim.gatewayUrlTemplate,
  });
  const user = await createUser(h.deps, { email, password });
  await addMember(h.deps, { organizationId: h.org.id, userId: user.id, role: 'owner' });
});

afterAll(async () => {
  await pgMeta?.close();
  await h?.close();
  await gateway?.close();
  const admin = postgres(inject('pgUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${projectDbName} with (force)`);
  await admin.end();
});

describe('a Studio session, end to end', () => {
  it('signs in, creates a project, uses its data pages, pauses, restores and deletes it', async () => {
    let token = '';
    const studio = async (
      method: string,
      path: string,
      opts: { body?: unknown; headers?: Record<string, string>; expect?: number } = {},
    ) => {
      const res = await h.call(method, path, {
        token: token || undefined,
        body: opts.body,
        headers: {
          Origin: STUDIO_ORIGIN,
          'X-Request-Id': crypto.randomUUID(),
          Accept: 'application/json',
          ...opts.headers,
        },
      });
      log.push({ call: `${method} ${path}`, status: res.status });
      const wanted = opts.expect ?? 200;
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(wanted);
      expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
      return res.body as never;
    };

    // (a) sign in and first load
    const session = await studio('POST', '/auth/v1/token?grant_type=password', {
      body: { email, password, gotrue_meta_security: { captcha_token: 'test' } },
    });
    token = (session as { access_token: string }).access_token;
    await studio('GET', '/auth/v1/user');
    await studio('GET', '/platform/profile', { headers: { Version: '2' }, expect: 404 });
    expectStudioSchema(
      'ProfileResponse',
      await studio('POST', '/platform/profile', { body: {}, expect: 201 }),
    );
    expectStudioSchema(
      'ProfileResponse',
      await studio('GET', '/platform/profile', { headers: { Version: '2' } }),
    );
    expectStudioSchema('PermissionsResponse', await studio('GET', '/platform/profile/permissions'));
    const orgs = (await studio('GET', '/platform/organizations')) as { slug: string; id: number }[];
    const org = orgs.find((o) => o.id === h.org.id)!;
    expect(org).toBeDefined();
    await studio('GET', `/platform/telemetry/feature-flags?organization_slug=${org.slug}`);
    await studio('GET', '/platform/notifications?offset=0&limit=10', { headers: { Version: '2' } });
    await studio('GET', '/platform/notifications/summary');
    await studio('GET', '/platform/stripe/invoices/overdue');
    await studio('GET', '/platform/projects-resource-warnings');

    // org home
    expectStudioSchema(
      'OrganizationProjectsResponse',
      await studio(
        'GET',
        `/platform/organizations/${org.slug}/projects?limit=96&offset=0&sort=name_asc`,
      ),
    );
    expectStudioSchema(
      'GetSubscriptionResponse',
      await studio('GET', `/platform/organizations/${org.slug}/billing/subscription`),
    );
    // Background queries of every organization page (LayoutHeader, useCheckEntitlements).
    const entitlements = await studio('GET', `/platform/organizations/${org.slug}/entitlements`);
    expectStudioShape('entitlements', entitlements);
    const granted = (
      entitlements as { entitlements: { feature: { key: string }; hasAccess: boolean }[] }
    ).entitlements;
    // The Pause button and the wizard's GitHub field read these.
    for (const key of ['project_pausing', 'integrations.github_connections'])
      expect(granted.find((e) => e.feature.key === key)?.hasAccess, key).toBe(true);
    expectStudioShape('usage', await studio('GET', `/platform/organizations/${org.slug}/usage`));
    await studio('GET', `/platform/organizations/${org.slug}/customer`);

    // (b) new-project wizard and submit
    const regions = await studio(
      'GET',
      `/platform/projects/available-regions?cloud_provider=AWS&organization_slug=${org.slug}`,
    );
    expectStudioSchema('RegionsInfo', regions);
    const region = (regions as { all: { specific: { code: string }[] } }).all.specific[0]!.code;
    expectStudioSchema(
      'AvailableVersionsResponse',
      await studio('POST', `/platform/organizations/${org.slug}/available-versions`, {
        body: { provider: 'AWS', region },
      }),
    );
    await studio('GET', `/platform/organizations/${org.slug}/members/reached-free-project-limit`);
    const body = {
      cloud_provider: 'AWS',
      organization_slug: org.slug,
      name: 'Studio made me',
      db_pass: 'a-strong-db-password-1',
      region_selection: { type: 'specific', code: region },
      data_api_exposed_schemas: ['public'],
      data_api_use_api_schema: false,
    };
    expectStudioSchema('CreateProjectBody', body);
    const created = await studio('POST', '/platform/projects', { body, expect: 201 });
    expectStudioSchema('CreateProjectResponse', created);
    const ref = (created as { ref: string }).ref;

    // (c) detail polling until the stack is up
    let detail: { status: string; connectionString: string | null } = {
      status: '',
      connectionString: null,
    };
    for (let i = 0; i < 100 && detail.status !== 'ACTIVE_HEALTHY'; i++) {
      detail = await studio('GET', `/platform/projects/${ref}`);
      expectStudioSchema('ProjectDetailResponse', detail);
      await h.reconcile();
    }
    expect(detail.status).toBe('ACTIVE_HEALTHY');
    expectStudioSchema(
      'ProjectStatusResponse',
      await studio('GET', `/platform/projects/${ref}/status`),
    );
    // Every project page header (BranchDropdown).
    expectStudioShape('branches', await studio('GET', `/v1/projects/${ref}/branches`));

    // (d) settings and API keys
    expectStudioSchema(
      'ProjectSettingsResponse',
      await studio('GET', `/platform/projects/${ref}/settings`),
    );
    expectStudioSchema(
      'ApiKeysResponse',
      await studio('GET', `/v1/projects/${ref}/api-keys?reveal=false`),
    );
    await studio('GET', `/v1/projects/${ref}/api-keys/legacy`);
    expectStudioSchema(
      'DatabasesResponse',
      await studio('GET', `/platform/projects/${ref}/databases`),
    );
    const claims = encodeURIComponent('{"role":"service_role"}');
    await studio(
      'POST',
      `/platform/projects/${ref}/api-keys/temporary?authorization_exp=300&claims=${claims}`,
    );
    // Settings → JWT keys.
    expectStudioShape(
      'signingKeys',
      await studio('GET', `/v1/projects/${ref}/config/auth/signing-keys`),
    );
    await studio('GET', `/v1/projects/${ref}/config/auth/signing-keys/legacy`);
    // Settings → Data API, Authentication → URL configuration, Storage settings: each
    // save restarts the stack, and Studio waits for it to come back.
    const saves: [string, string, Record<string, unknown>][] = [
      [
        'PATCH',
        `/platform/projects/${ref}/config/postgrest`,
        { db_schema: 'public,storage', max_rows: 500 },
      ],
      ['PATCH', `/platform/auth/${ref}/config`, { SITE_URL: 'https://app.example.com' }],
      ['PATCH', `/platform/projects/${ref}/config/storage`, { fileSizeLimit: 10_485_760 }],
    ];
    for (const [method, path, patch] of saves) {
      await studio(method, path, { body: patch });
      await h.settle(ref, 'ACTIVE_HEALTHY');
      expect(await studio('GET', path)).toMatchObject(patch);
    }

    // (f) SQL editor and table editor through the real postgres-meta
    const pgHeaders = {
      'x-connection-encrypted': detail.connectionString!,
      'x-pg-application-name': 'supabase/dashboard',
    };
    const rows = await studio('POST', `/platform/pg-meta/${ref}/query?key=sql-editor`, {
      headers: pgHeaders,
      body: {
        query: 'create table public.todos (id serial primary key, title text); select 1 as one',
      },
    });
    expectStudioSchema('PgMetaQueryResponse', rows);
    const tables = (await studio('GET', `/platform/pg-meta/${ref}/tables?included_schemas=public`, {
      headers: pgHeaders,
    })) as { name: string }[];
    expect(tables.map((t) => t.name)).toContain('todos');

    // (g) auth users and (h) buckets, through the project's GoTrue and storage-api
    await studio('POST', `/platform/auth/${ref}/users`, {
      body: { email: 'end-user@example.com', password: 'pw-123456', email_confirm: true },
    });
    await studio('GET', `/platform/auth/${ref}/users?limit=50&offset=0`);
    await studio('GET', `/platform/storage/${ref}/buckets`);

    // (k) organization settings: the AI opt-in, and the audit log of all of the above.
    await studio('PATCH', `/platform/organizations/${org.slug}`, {
      body: { opt_in_tags: ['AI_SQL_GENERATOR_OPT_IN'] },
    });
    const orgsAfter = (await studio('GET', '/platform/organizations')) as {
      id: number;
      opt_in_tags: string[];
    }[];
    expect(orgsAfter.find((o) => o.id === org.id)?.opt_in_tags).toEqual([
      'AI_SQL_GENERATOR_OPT_IN',
    ]);
    const audit = await studio('GET', `/platform/organizations/${org.slug}/audit`);
    expectStudioShape('auditLogs', audit);
    const actions = (audit as { result: { action: { name: string } }[] }).result.map(
      (r) => r.action.name,
    );
    expect(actions[0]).toBe('organization.opt_in_tags');
    expect(actions).toContain('project.settings.auth');
    expect(actions).toContain('project.create');

    // Account → Security: enroll a TOTP factor, verify it, remove it (aal2 session).
    const enrolled = await studio('POST', '/auth/v1/factors', {
      body: { factor_type: 'totp', friendly_name: 'Studio phone' },
    });
    expectStudioShape('enrolledFactor', enrolled);
    const factor = enrolled as { id: string; totp: { secret: string } };
    const challenge = await studio('POST', `/auth/v1/factors/${factor.id}/challenge`, { body: {} });
    expectStudioShape('challenge', challenge);
    const upgraded = await studio('POST', `/auth/v1/factors/${factor.id}/verify`, {
      body: { challenge_id: (challenge as { id: string }).id, code: totp(factor.totp.secret) },
    });
    token = (upgraded as { access_token: string }).access_token;
    await studio('DELETE', `/auth/v1/factors/${factor.id}`);

    // (e) pause, restore, delete
    await studio('POST', `/platform/projects/${ref}/pause`);
    await h.settle(ref, 'INACTIVE');
    await studio('GET', `/platform/projects/${ref}/pause/status`);
    expectStudioSchema(
      'AvailableVersionsResponse',
      await studio('GET', `/platform/projects/${ref}/restore/versions`),
    );
    await studio('POST', `/platform/projects/${ref}/restore`, { body: {} });
    await h.settle(ref, 'ACTIVE_HEALTHY');
    await studio('DELETE', `/platform/projects/${ref}`);
    await h.settle(ref, 'REMOVED');
    await studio('GET', `/platform/projects/${ref}`, { expect: 404 });

    // Sign out ends the session for the platform API too.
    await studio('POST', '/auth/v1/logout', { expect: 204 });
    await studio('GET', '/platform/profile', { headers: { Version: '2' }, expect: 401 });
    expect(log.filter((l) => l.status >= 500)).toEqual([]);
  });
});
