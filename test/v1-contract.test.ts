import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createOrganization } from '../src/organizations/organizations.js';
import { REGION_CODES } from '../src/http/v1/project-views.js';
import type { SignedInUser } from './support/api.js';
import { contractProblems } from './support/v1-spec.js';
import { startV1Env, type V1Env } from './support/v1-env.js';

/**
 * Every /v1 endpoint Supaplane serves, called for its success and its error
 * statuses; every response is checked against openapi-v1.json with ajv.
 */
let env: V1Env;
let owner: SignedInUser;
let ref: string;
let token: string;

interface Seen {
  method: string;
  path: string;
  status: number;
  problems: string[];
  documented: boolean;
  template?: string;
}
const seen: Seen[] = [];

beforeAll(async () => {
  env = await startV1Env({ SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: '100000' });
  owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  ref = await env.activeProject('Contract');
});
afterAll(() => env?.close());

async function call(
  method: string,
  path: string,
  opts: {
    body?: unknown;
    as?: SignedInUser;
    token?: string | null;
    headers?: Record<string, string>;
  } = {},
) {
  const res = await env.h.call(method, path, {
    as: opts.token === undefined ? opts.as : undefined,
    token: opts.token === undefined ? (opts.as ? undefined : token) : (opts.token ?? undefined),
    body: opts.body,
    headers: opts.headers,
  });
  const check = contractProblems(method, path, res.status, res.body);
  seen.push({ method, path, status: res.status, ...check });
  return res;
}

const expectStatus = async (status: number, ...args: Parameters<typeof call>) => {
  const res = await call(...args);
  expect(res.status, `${args[0]} ${args[1]} → ${JSON.stringify(res.body)}`).toBe(status);
  return res;
};

describe('openapi-v1.json contract', () => {
  it('organizations', async () => {
    await expectStatus(200, 'GET', '/v1/organizations');
    await expectStatus(401, 'GET', '/v1/organizations', { token: null });
    await expectStatus(401, 'GET', '/v1/organizations', { token: `sbp_${'f'.repeat(40)}` });
    const org = await expectStatus(201, 'POST', '/v1/organizations', {
      body: { name: 'Contract org' },
    });
    await expectStatus(400, 'POST', '/v1/organizations', { body: { name: '' } });
    const slug = (org.body as { slug: string }).slug;
    await expectStatus(200, 'GET', `/v1/organizations/${slug}`);
    await expectStatus(404, 'GET', '/v1/organizations/not-mine');
    await expectStatus(200, 'GET', `/v1/organizations/${slug}/members`);
    await expectStatus(
      200,
      'GET',
      `/v1/organizations/${env.h.org.slug}/projects?limit=1&statuses=ACTIVE_HEALTHY`,
    );
    await expectStatus(400, 'GET', `/v1/organizations/${env.h.org.slug}/projects?limit=1000`);
  });

  it('projects', async () => {
    await expectStatus(200, 'GET', '/v1/projects');
    await expectStatus(
      200,
      'GET',
      `/v1/projects/available-regions?organization_slug=${env.h.org.slug}`,
    );
    const created = await expectStatus(201, 'POST', '/v1/projects', {
      body: {
        name: 'Contract created',
        organization_slug: env.h.org.slug,
        db_pass: 'contract-password',
        region_selection: { type: 'specific', code: REGION_CODES[0] },
      },
    });
    await expectStatus(400, 'POST', '/v1/projects', {
      body: {
        name: 'x',
        organization_slug: env.h.org.slug,
        db_pass: 'contract-password',
        region: 'sa-east-1',
      },
    });
    const reader = await env.h.signIn('read_only');
    await expectStatus(403, 'POST', '/v1/projects', {
      as: reader,
      body: { name: 'x', organization_slug: env.h.org.slug, db_pass: 'contract-password' },
    });
    const other = await createOrganization(env.h.deps, { name: `Elsewhere ${Date.now()}` });
    await expectStatus(404, 'POST', '/v1/projects', {
      body: { name: 'x', organization_slug: other.slug, db_pass: 'contract-password' },
    });
    const newRef = (created.body as { ref: string }).ref;
    await expectStatus(200, 'GET', `/v1/projects/${ref}`);
    await expectStatus(404, 'GET', '/v1/projects/zzzzzzzzzzzzzzzzzzzz');
    await expectStatus(400, 'GET', '/v1/projects/NOT_A_REF');
    await expectStatus(200, 'PATCH', `/v1/projects/${ref}`, { body: { name: 'Contract renamed' } });
    await expectStatus(400, 'PATCH', `/v1/projects/${ref}`, { body: { name: '' } });
    await expectStatus(403, 'PATCH', `/v1/projects/${ref}`, { as: reader, body: { name: 'nope' } });
    await expectStatus(200, 'GET', `/v1/projects/${ref}/health?services=auth,db,rest`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/health?services=db&services=pooler`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/config/database/pooler`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/config/database/pgbouncer`);
    await expectStatus(404, 'GET', '/v1/projects/zzzzzzzzzzzzzzzzzzzz/config/database/pooler');
    await expectStatus(400, 'GET', `/v1/projects/${ref}/health?services=nope`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/restore`);
    await env.h.settle(newRef, 'ACTIVE_HEALTHY');
    await expectStatus(200, 'POST', `/v1/projects/${newRef}/pause`);
    await env.h.settle(newRef, 'INACTIVE');
    await expectStatus(412, 'POST', `/v1/projects/${newRef}/pause`);
    await expectStatus(200, 'POST', `/v1/projects/${newRef}/restore`);
    await env.h.settle(newRef, 'ACTIVE_HEALTHY');
    await expectStatus(200, 'DELETE', `/v1/projects/${newRef}`);
    await expectStatus(403, 'DELETE', `/v1/projects/${ref}`, { as: reader });
  });

  it('api keys', async () => {
    const list = await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys?reveal=true`);
    const reader = await env.h.signIn('read_only');
    await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys`, { as: reader });
    await expectStatus(403, 'GET', `/v1/projects/${ref}/api-keys?reveal=true`, { as: reader });
    await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys/legacy`);
    const pub = (list.body as { id: string; type: string }[]).find(
      (k) => k.type === 'publishable',
    )!;
    await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys/${pub.id}`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/api-keys/service_role`);
    await expectStatus(
      404,
      'GET',
      `/v1/projects/${ref}/api-keys/00000000-0000-4000-8000-000000000000`,
    );
    await expectStatus(200, 'PATCH', `/v1/projects/${ref}/api-keys/${pub.id}`, {
      body: { name: 'renamed_key' },
    });
    await expectStatus(409, 'POST', `/v1/projects/${ref}/api-keys`, {
      body: { type: 'publishable', name: 'second' },
    });
    await expectStatus(400, 'POST', `/v1/projects/${ref}/api-keys`, {
      body: { type: 'publishable', name: 'x' },
    });
    await expectStatus(200, 'DELETE', `/v1/projects/${ref}/api-keys/${pub.id}`);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    await expectStatus(201, 'POST', `/v1/projects/${ref}/api-keys?reveal=true`, {
      body: { type: 'publishable', name: 'web_key', description: 'web' },
    });
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
  });

  it('database', async () => {
    await expectStatus(201, 'POST', `/v1/projects/${ref}/database/query`, {
      body: { query: 'select 1 as one' },
    });
    await expectStatus(400, 'POST', `/v1/projects/${ref}/database/query`, {
      body: { query: 'select nonsense from' },
    });
    await expectStatus(400, 'POST', `/v1/projects/${ref}/database/query`, { body: { query: '' } });
    await expectStatus(201, 'POST', `/v1/projects/${ref}/database/query/read-only`, {
      body: { query: 'select 1 as one' },
    });
    await expectStatus(400, 'POST', `/v1/projects/${ref}/database/query/read-only`, {
      body: { query: 'select 1; select 2' },
    });
    await expectStatus(200, 'GET', `/v1/projects/${ref}/database/migrations`);
    await expectStatus(200, 'POST', `/v1/projects/${ref}/database/migrations`, {
      body: { name: 'contract', query: 'create table contract_t (id int)' },
      headers: { 'Idempotency-Key': 'contract-1' },
    });
    const list = await expectStatus(200, 'GET', `/v1/projects/${ref}/database/migrations`);
    const version = (list.body as { version: string }[])[0]!.version;
    await expectStatus(200, 'GET', `/v1/projects/${ref}/database/migrations/${version}`);
    await expectStatus(404, 'GET', `/v1/projects/${ref}/database/migrations/1`);
    await expectStatus(200, 'GET', `/v1/projects/${ref}/types/typescript`);
  });

  it('secrets', async () => {
    await expectStatus(200, 'GET', `/v1/projects/${ref}/secrets`);
    await expectStatus(201, 'POST', `/v1/projects/${ref}/secrets`, {
      body: [{ name: 'CONTRACT', value: 'v' }],
    });
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    await expectStatus(400, 'POST', `/v1/projects/${ref}/secrets`, {
      body: [{ name: 'SUPABASE_X', value: 'v' }],
    });
    await expectStatus(200, 'DELETE', `/v1/projects/${ref}/secrets`, { body: ['CONTRACT'] });
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
  });

  it('rate limiting answers 429 with a message', async () => {
    const limited = createApp({
      ...env.h.deps,
      config: { ...env.h.deps.config, SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: 1 },
    });
    const path = `/v1/projects/${ref}`;
    const headers = { Authorization: `Bearer ${token}` };
    await limited.request(path, { headers });
    const res = await limited.request(path, { headers });
    expect(res.status).toBe(429);
    const check = contractProblems('GET', path, 429, await res.json());
    seen.push({ method: 'GET', path, status: 429, ...check });
  });

  it('every response conforms; undocumented statuses are errors with a message', () => {
    const problems = seen.flatMap((s) =>
      s.problems.map((p) => `${s.method} ${s.path} ${s.status}: ${p}`),
    );
    expect(problems).toEqual([]);
    const undocumented = [...new Set(seen.filter((s) => !s.documented).map((s) => s.status))];
    // The spec omits most error statuses (some operations list none); Supaplane's are
    // these, always with a message.
    expect(undocumented.filter((s) => ![400, 401, 403, 404, 409, 412, 429].includes(s))).toEqual(
      [],
    );
    const served = new Set(seen.map((s) => `${s.method} ${s.template}`));
    expect(served.size).toBeGreaterThanOrEqual(30);
  });
});
