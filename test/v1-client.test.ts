import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { SupabaseManagementAPI, SupabaseManagementAPIError } from 'supabase-management-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION_CODES } from '../src/http/v1/project-views.js';
import { startV1Env, type V1Env } from './support/v1-env.js';

/**
 * The real `supabase-management-js` client from npm, pointed at Supaplane served
 * on a real port: every assertion is on what the client returns.
 */
let env: V1Env;
let server: ServerType;
let client: SupabaseManagementAPI;
let token: string;

beforeAll(async () => {
  env = await startV1Env();
  const owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  const port = await new Promise<number>((resolve) => {
    server = serve(
      { fetch: env.h.app.fetch, hostname: '127.0.0.1', port: 0 },
      (info: AddressInfo) => resolve(info.port),
    );
  });
  client = new SupabaseManagementAPI({ accessToken: token, baseUrl: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await env?.close();
});

/** Polls with the client until the project has `status`, running reconcile ticks meanwhile. */
async function waitForStatus(ref: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await client.getProject(ref);
    if (data.status === status) return data;
    if (Date.now() > deadline) throw new Error(`project ${ref} is ${data.status}, not ${status}`);
    await env.h.reconcile();
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('supabase-management-js against Supaplane', () => {
  it('lists organizations, creates a project, reads keys, queries, pauses, restores, deletes', async () => {
    const orgs = await client.listAllOrganizations();
    expect(orgs.status).toBe(200);
    expect(orgs.data).toContainEqual({
      id: env.h.org.slug,
      slug: env.h.org.slug,
      name: env.h.org.name,
    });

    const created = await client.createAProject({
      name: 'From the JS client',
      organization_slug: env.h.org.slug,
      db_pass: 'client-db-password',
      region_selection: { type: 'specific', code: REGION_CODES[0] },
    });
    expect(created.status).toBe(201);
    const ref = created.data.ref;
    expect(ref).toMatch(/^[a-z]{20}$/);
    expect(created.data).toMatchObject({
      name: 'From the JS client',
      organization_slug: env.h.org.slug,
      region: REGION_CODES[0],
      status: 'COMING_UP',
    });

    const active = await waitForStatus(ref, 'ACTIVE_HEALTHY');
    expect(active.database.host).toContain(ref);

    const keys = await client.getProjectApiKeys(ref, { reveal: true });
    const byName = new Map(keys.data.map((k) => [k.name, k]));
    expect(byName.get('anon')).toMatchObject({
      type: 'legacy',
      api_key: expect.stringMatching(/^eyJ/),
    });
    expect(byName.get('service_role')?.api_key).toMatch(/^eyJ/);
    expect(keys.data.find((k) => k.type === 'secret')?.api_key).toMatch(/^sb_secret_/);

    const rows = await client.runAQuery(ref, {
      query: "select 41 + 1 as answer, 'hi' as greeting",
    });
    expect(rows.status).toBe(201);
    expect(rows.data).toEqual([{ answer: 42, greeting: 'hi' }]);

    const paused = await client.pauseAProject(ref);
    expect(paused.status).toBe(200);
    expect((await client.getProject(ref)).data.status).toBe('PAUSING');
    await waitForStatus(ref, 'INACTIVE');

    const restored = await client.restoreAProject(ref);
    expect(restored.status).toBe(200);
    await waitForStatus(ref, 'ACTIVE_HEALTHY');

    const deleted = await client.deleteAProject(ref);
    expect(deleted.data).toMatchObject({ ref, name: 'From the JS client' });
    await expect(async () => {
      for (let i = 0; i < 400; i++) {
        await client.getProject(ref);
        await env.h.reconcile();
        await new Promise((r) => setTimeout(r, 50));
      }
    }).rejects.toMatchObject({ status: 404 });
  });

  it('surfaces Supaplane errors as SupabaseManagementAPIError with the message', async () => {
    const err = await client
      .createAProject({
        name: 'x',
        organization_slug: env.h.org.slug,
        db_pass: 'client-db-password',
        region: 'sa-east-1',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupabaseManagementAPIError);
    expect(err).toMatchObject({ status: 400, message: expect.stringContaining('Unknown region') });

    const stranger = new SupabaseManagementAPI({
      accessToken: `sbp_${'0'.repeat(40)}`,
      baseUrl: (client as unknown as { baseUrl: string }).baseUrl,
    });
    await expect(stranger.listAllOrganizations()).rejects.toMatchObject({ status: 401 });
  });

  it("lists a project's backups (V1BackupsResponse) and answers the physical-backup endpoints with a message", async () => {
    const created = await client.createAProject({
      name: 'Backups via the JS client',
      organization_slug: env.h.org.slug,
      db_pass: 'client-db-password',
    });
    const ref = created.data.ref;
    await waitForStatus(ref, 'ACTIVE_HEALTHY');
    const listed = await client.listAllBackups(ref);
    expect(listed.status).toBe(200);
    expect(listed.data).toEqual({
      region: expect.any(String),
      walg_enabled: false,
      pitr_enabled: false,
      backups: [],
      physical_backup_data: {},
    });
    // Logical backups cannot serve point-in-time recovery: a clear 404, not a fake success.
    await expect(
      client.restorePitrBackup(ref, { recovery_time_target_unix: 1 }),
    ).rejects.toMatchObject({ status: 404, message: expect.any(String) });
  });

  it('never logs or stores the token in clear', async () => {
    const secretPart = token.slice(4);
    expect(env.h.logLines.join('\n')).not.toContain(secretPart);
    const dump = await env.h.db.sql`
      select string_agg(t::text, '') as all from (
        select row_to_json(a)::text as t from access_tokens a
        union all select row_to_json(l)::text from audit_log l
        union all select row_to_json(j)::text from jobs j) x`;
    expect(String(dump[0]!.all)).not.toContain(secretPart);
  });
});
