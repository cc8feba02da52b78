import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, projectSettings, projectSettingSecrets } from '../../src/db/schema/index.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

/**
 * Each settings area round-trips: PATCH → GET shows the new value; the simulator got
 * exactly the env change (settings/env-mapping.ts) and one restart, with RESTARTING in
 * between; secrets are never in responses, logs, audit rows or stored in clear.
 */
let env: V1Env;
let owner: SignedInUser;
let ref: string;

const SMTP_PASS = 'smtp-$ecret-Pa55word';
const GITHUB_SECRET = 'gh-oauth-secret-0123456789';

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  ref = await env.activeProject('Settings');
});
afterAll(() => env?.close());

const stack = async () => {
  const uuid = (await env.h.project(ref)).coolifyServiceUuid!;
  return env.h.sim.state.services.get(uuid)!;
};
const envNow = async () => env.h.sim.envOf((await env.h.project(ref)).coolifyServiceUuid!);

/** Runs `change`, waits for the stack to settle, returns the env diff and the restarts. */
async function applied(change: () => Promise<{ status: number; body: unknown }>) {
  const before = await envNow();
  const restartsBefore = (await stack()).actions.filter((a) => a === 'restart').length;
  const res = await change();
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect((await env.h.project(ref)).status).toBe('RESTARTING');
  await env.h.settle(ref, 'ACTIVE_HEALTHY');
  const after = await envNow();
  const diff: Record<string, string | null> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[key] !== after[key]) diff[key] = after[key] ?? null;
  }
  const restarts = (await stack()).actions.filter((a) => a === 'restart').length - restartsBefore;
  return { res, diff, restarts };
}

const noSecrets = (where: string, text: string) => {
  expect(text, where).not.toContain(SMTP_PASS);
  expect(text, where).not.toContain(GITHUB_SECRET);
};

describe('auth settings (Studio: /platform/auth/{ref}/config)', () => {
  it('saves, applies as env with one restart, and reads back; secrets stay secret', async () => {
    const current = (await env.h.call('GET', `/platform/auth/${ref}/config`, { as: owner }))
      .body as Record<string, unknown>;
    // Studio's form sends every field back, changed or not.
    const body = {
      ...current,
      SITE_URL: 'https://app.example.com',
      URI_ALLOW_LIST: 'https://app.example.com/**,http://localhost:3000',
      SMTP_ADMIN_EMAIL: 'noreply@example.com',
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '587',
      SMTP_USER: 'mailer',
      SMTP_PASS,
      SMTP_SENDER_NAME: 'Example',
      MAILER_AUTOCONFIRM: true,
      MAILER_SUBJECTS_INVITE: 'Join us',
      EXTERNAL_ANONYMOUS_USERS_ENABLED: true,
      EXTERNAL_GITHUB_ENABLED: true,
      EXTERNAL_GITHUB_CLIENT_ID: 'gh-client',
      EXTERNAL_GITHUB_SECRET: GITHUB_SECRET,
      JWT_EXP: 7200,
      RATE_LIMIT_EMAIL_SENT: 60,
    };
    const { res, diff, restarts } = await applied(() =>
      env.h.call('PATCH', `/platform/auth/${ref}/config`, { as: owner, body }),
    );
    const publicUrl = `https://${ref}.supa.test`;
    // New projects are on template v2, whose compose reads each setting under the
    // container's own name (src/settings/stack-env.ts).
    expect(diff).toEqual({
      GOTRUE_SITE_URL: 'https://app.example.com',
      GOTRUE_URI_ALLOW_LIST: 'https://app.example.com/**,http://localhost:3000',
      GOTRUE_SMTP_ADMIN_EMAIL: 'noreply@example.com',
      GOTRUE_SMTP_HOST: 'smtp.example.com',
      GOTRUE_SMTP_USER: 'mailer',
      GOTRUE_SMTP_PASS: SMTP_PASS,
      GOTRUE_SMTP_SENDER_NAME: 'Example',
      GOTRUE_MAILER_AUTOCONFIRM: 'true',
      GOTRUE_MAILER_SUBJECTS_INVITE: 'Join us',
      GOTRUE_EXTERNAL_ANONYMOUS_USERS_ENABLED: 'true',
      GOTRUE_EXTERNAL_GITHUB_ENABLED: 'true',
      GOTRUE_EXTERNAL_GITHUB_CLIENT_ID: 'gh-client',
      GOTRUE_EXTERNAL_GITHUB_SECRET: GITHUB_SECRET,
      GOTRUE_EXTERNAL_GITHUB_REDIRECT_URI: `${publicUrl}/auth/v1/callback`,
      GOTRUE_JWT_EXP: '7200',
      GOTRUE_RATE_LIMIT_EMAIL_SENT: '60',
    });
    expect(restarts).toBe(1);
    // `$` is kept as written: settings are literal env lines.
    expect((await stack()).envs.get('GOTRUE_SMTP_PASS')?.is_literal).toBe(true);

    const got = (await env.h.call('GET', `/platform/auth/${ref}/config`, { as: owner }))
      .body as Record<string, unknown>;
    expect(got).toMatchObject({
      SITE_URL: 'https://app.example.com',
      SMTP_PORT: 587,
      MAILER_AUTOCONFIRM: true,
      JWT_EXP: 7200,
      EXTERNAL_GITHUB_CLIENT_ID: 'gh-client',
      SMTP_PASS: null,
      EXTERNAL_GITHUB_SECRET: null,
    });
    noSecrets('PATCH response', JSON.stringify(res.body));
    noSecrets('GET response', JSON.stringify(got));
    noSecrets('logs', env.h.logLines.join('\n'));
    noSecrets('audit rows', JSON.stringify(await env.h.db.db.select().from(auditLog)));
    noSecrets('settings rows', JSON.stringify(await env.h.db.db.select().from(projectSettings)));
    noSecrets(
      'secret rows',
      JSON.stringify(await env.h.db.db.select().from(projectSettingSecrets)),
    );
    const [audit] = (await env.h.db.db.select().from(auditLog)).filter(
      (a) => a.action === 'project.settings.auth',
    );
    expect(audit?.detail).toMatchObject({
      fields: expect.arrayContaining(['SMTP_PASS', 'SITE_URL']),
    });

    // Sending the form back unchanged (secrets come back null) changes nothing.
    const again = await env.h.call('PATCH', `/platform/auth/${ref}/config`, {
      as: owner,
      body: got,
    });
    expect(again.status).toBe(200);
    expect((await env.h.project(ref)).status).toBe('ACTIVE_HEALTHY');
    expect((await envNow()).GOTRUE_SMTP_PASS).toBe(SMTP_PASS);
  });

  it('/v1/projects/{ref}/config/auth: lower-case names, same storage; clearing restores the default', async () => {
    const { diff, restarts } = await applied(() =>
      env.h.call('PATCH', `/v1/projects/${ref}/config/auth`, {
        as: owner,
        body: { smtp_host: '', smtp_pass: '', site_url: `https://${ref}.supa.test` },
      }),
    );
    // v2 reads every setting as ${KEY}: a cleared one goes back to the template's value.
    expect(diff).toEqual({
      GOTRUE_SMTP_HOST: '',
      GOTRUE_SMTP_PASS: '',
      GOTRUE_SITE_URL: `https://${ref}.supa.test`,
    });
    expect(restarts).toBe(1);
    const got = (await env.h.call('GET', `/v1/projects/${ref}/config/auth`, { as: owner }))
      .body as Record<string, unknown>;
    expect(got).toMatchObject({ smtp_host: null, jwt_exp: 7200, smtp_pass: null });
  });

  it.each([
    [{ SITE_URL: 'not a url' }, 'SITE_URL'],
    [{ SMTP_PORT: 70000 }, 'SMTP_PORT'],
    [{ JWT_EXP: 5 }, 'JWT_EXP'],
    [{ MAILER_AUTOCONFIRM: 'yes' }, 'MAILER_AUTOCONFIRM'],
    [{ SMTP_SENDER_NAME: "it's" }, 'SMTP_SENDER_NAME'],
    // Moved from the template's own Auth schema (gone): one source validates settings.
    [{ SITE_URL: 'https://app.example.org/\nX-Injected: 1' }, 'SITE_URL'],
    [{ SMTP_ADMIN_EMAIL: 'not-an-email' }, 'SMTP_ADMIN_EMAIL'],
    [{ SMTP_HOST: 'smtp example org' }, 'SMTP_HOST'],
    [{ JWT_EXP: 604_801 }, 'JWT_EXP'],
    [{ URI_ALLOW_LIST: 'no scheme' }, 'URI_ALLOW_LIST'],
    [{ PASSWORD_MIN_LENGTH: 12 }, 'PASSWORD_MIN_LENGTH'],
  ])('400 naming the field for %o', async (body, field) => {
    const res = await env.h.call('PATCH', `/platform/auth/${ref}/config`, { as: owner, body });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(new RegExp(`^${field}`));
    expect((await env.h.project(ref)).status).toBe('ACTIVE_HEALTHY');
  });

  it('a developer cannot change settings; a read-only member can read them', async () => {
    const dev = await env.h.signIn('developer');
    const res = await env.h.call('PATCH', `/platform/auth/${ref}/config`, {
      as: dev,
      body: { SITE_URL: 'https://x.example.com' },
    });
    expect(res.status).toBe(403);
    const reader = await env.h.signIn('read_only');
    expect((await env.h.call('GET', `/platform/auth/${ref}/config`, { as: reader })).status).toBe(
      200,
    );
  });
});

describe('Data API and storage settings', () => {
  it('PostgREST: PATCH → env → GET, on /platform and /v1', async () => {
    const { diff, restarts } = await applied(() =>
      env.h.call('PATCH', `/platform/projects/${ref}/config/postgrest`, {
        as: owner,
        body: { db_schema: 'public,api', max_rows: 500, db_extra_search_path: 'public,extensions' },
      }),
    );
    expect(diff).toEqual({
      PGRST_DB_SCHEMAS: 'public,api',
      PGRST_DB_MAX_ROWS: '500',
      PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
    });
    expect(restarts).toBe(1);
    const v1 = await env.h.call('GET', `/v1/projects/${ref}/postgrest`, { as: owner });
    expect(v1.body).toMatchObject({ db_schema: 'public,api', max_rows: 500 });
    expect(v1.body).not.toHaveProperty('jwt_secret');
    const bad = await env.h.call('PATCH', `/v1/projects/${ref}/postgrest`, {
      as: owner,
      body: { max_rows: -1 },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^max_rows/);
  });

  it('storage: the file size limit', async () => {
    const { diff, restarts } = await applied(() =>
      env.h.call('PATCH', `/v1/projects/${ref}/config/storage`, {
        as: owner,
        body: { fileSizeLimit: 10_485_760 },
      }),
    );
    expect(diff).toEqual({ FILE_SIZE_LIMIT: '10485760' });
    expect(restarts).toBe(1);
    const got = await env.h.call('GET', `/platform/projects/${ref}/config/storage`, { as: owner });
    expect(got.body).toMatchObject({ fileSizeLimit: 10_485_760 });
    const bad = await env.h.call('PATCH', `/platform/projects/${ref}/config/storage`, {
      as: owner,
      body: { features: { s3Protocol: { enabled: true } } },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(/^features/);
  });

  it('a change while paused is stored and applied on the next start', async () => {
    await env.h.call('POST', `/platform/projects/${ref}/pause`, { as: owner });
    await env.h.settle(ref, 'INACTIVE');
    const res = await env.h.call('PATCH', `/platform/projects/${ref}/config/storage`, {
      as: owner,
      body: { fileSizeLimit: 1_048_576 },
    });
    expect(res.status).toBe(200);
    expect((await env.h.project(ref)).status).toBe('INACTIVE');
    await env.h.jobsIdle();
    expect((await envNow()).FILE_SIZE_LIMIT).toBe('1048576');
    const restartsBefore = (await stack()).actions.filter((a) => a === 'restart').length;
    await env.h.call('POST', `/platform/projects/${ref}/restore`, { as: owner, body: {} });
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    expect((await stack()).actions.filter((a) => a === 'restart').length).toBe(restartsBefore);
    expect((await stack()).actions.at(-1)).toBe('start');
    const got = await env.h.call('GET', `/v1/projects/${ref}/config/storage`, { as: owner });
    expect(got.body).toMatchObject({ fileSizeLimit: 1_048_576 });
  });
});
