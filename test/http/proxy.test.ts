import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Ajv2020 from 'ajv/dist/2020.js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ProxyError, forward } from '../../src/http/proxy/forward.js';
import type { ProjectGateway } from '../../src/gateway/gateway.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { createProject, pauseProject } from '../../src/projects/projects.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import {
  STUDIO_ORIGIN,
  startApiHarness,
  type ApiHarness,
  type SignedInUser,
} from '../support/api.js';
import { withDatabase } from '../support/global-setup.js';
import { startPgMeta, type PgMeta } from '../support/pg-meta.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

const SCHEMAS = '../shared/reference/studio/schemas';
const ajv = new Ajv2020.default({ strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
const validator = (name: string) => {
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(`${SCHEMAS}/${name}.json`, 'utf8')) as object);
    validators.set(name, v);
  }
  return v;
};

let h: ApiHarness;
let gateway: TestGateway;
let pgMeta: PgMeta;
let projectDb: { url: string; drop(): Promise<void> };
let owner: SignedInUser;
let ref: string;
let serviceKey: string;

/** An empty database on the test server, standing in for a project's own Postgres. */
async function projectDatabase() {
  const server = inject('pgUrl');
  const name = `proj_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  return {
    url: withDatabase(server, name),
    async drop() {
      const a = postgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A project created through the service and brought up by the simulator. */
async function activeProject(name: string): Promise<string> {
  const p = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name },
  });
  await h.settle(p.ref, 'ACTIVE_HEALTHY');
  return p.ref;
}

const studioHeaders = (as: SignedInUser) => ({
  ...as.headers,
  'x-connection-encrypted': 'enc:opaque-token-from-project-detail',
  'x-pg-application-name': 'supabase/dashboard',
});

const seen = (ref_: string, path?: string) =>
  gateway.requests.filter((r) => r.ref === ref_ && (path === undefined || r.path === path));

beforeAll(async () => {
  gateway = await startTestGateway();
  h = await startApiHarness({ env: { SUPAPLANE_GATEWAY_URL: gateway.template } });
  projectDb = await projectDatabase();
  pgMeta = await startPgMeta(projectDb.url);
  gateway.attach({
    db: h.db.db,
    keyring: h.deps.keyring,
    pgMetaUrl: pgMeta.url,
    fallbackTemplate: h.sim.gatewayUrlTemplate,
  });
  owner = await h.signIn('owner');
  ref = await activeProject('Data pages');
  const project = await h.project(ref);
  serviceKey = (await loadProjectSecrets(h.db.db, h.deps.keyring, project.id))!
    .SUPABASE_SERVICE_KEY;
});

afterAll(async () => {
  if (process.env.DEBUG_PG_META) console.log(pgMeta?.output.join(''));
  await pgMeta?.close();
  await h?.close();
  await gateway?.close();
  await projectDb?.drop();
});

describe('pg-meta through the project gateway (real postgres-meta)', () => {
  const queryResponse = () => validator('PgMetaQueryResponse');

  it('runs SQL: select 1 as one → [{ one: 1 }], with the service key and Studio headers mapped', async () => {
    const before = gateway.requests.length;
    const res = await h.call('POST', `/platform/pg-meta/${ref}/query?key=table-rows`, {
      headers: studioHeaders(owner),
      body: { query: 'select 1 as one', disable_statement_timeout: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ one: 1 }]);
    expect(queryResponse()(res.body)).toBe(true);
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
    expect(res.headers.get('x-request-id')).toBe(owner.headers['X-Request-Id']);

    const [sent] = gateway.requests.slice(before);
    expect(sent).toMatchObject({
      ref,
      method: 'POST',
      path: '/pg/query',
      search: '?key=table-rows',
      apikey: serviceKey,
      authorization: `Bearer ${serviceKey}`,
      status: 200,
    });
    expect(sent!.headers['x-pg-application-name']).toBe('supabase/dashboard');
    expect(sent!.headers['x-connection-encrypted']).toBeUndefined();
    expect(sent!.headers.cookie).toBeUndefined();
  });

  it('creates a table through /query and lists it through /tables', async () => {
    const created = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(owner),
      body: { query: 'create table public.proxy_notes (id bigint primary key, body text)' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual([]);

    const res = await h.call('GET', `/platform/pg-meta/${ref}/tables?included_schemas=public`, {
      headers: studioHeaders(owner),
    });
    expect(res.status).toBe(200);
    const tables = res.body as { schema: string; name: string; columns?: { name: string }[] }[];
    const notes = tables.find((t) => t.name === 'proxy_notes');
    expect(notes).toMatchObject({ schema: 'public', name: 'proxy_notes' });
    expect(notes!.columns?.map((c) => c.name)).toEqual(['id', 'body']);
  });

  it('passes SQL errors through as 4xx with message and formattedError', async () => {
    const res = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(owner),
      body: { query: 'select * from no_such_table' },
    });
    expect(res.status).toBe(400);
    const body = res.body as { message: string; formattedError?: string };
    expect(body.message).toMatch(/no_such_table/);
    expect(body.formattedError).toMatch(/LINE 1/);
    expect(queryResponse()(res.body)).toBe(true);
  });

  it('refuses a /query body without SQL, or over 1 MB, before reaching the gateway', async () => {
    const before = gateway.requests.length;
    const empty = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(owner),
      body: {},
    });
    expect(empty.status).toBe(400);
    expect((empty.body as { message: string }).message).toMatch(/query/);
    const huge = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(owner),
      body: { query: `select '${'x'.repeat(1_100_000)}'` },
    });
    expect(huge.status).toBe(413);
    expect((huge.body as { message: string }).message).toMatch(/larger than 1 MB/);
    const climbing = await h.call('GET', `/platform/pg-meta/${ref}/..%2F..%2Fauth/v1/admin/users`, {
      headers: studioHeaders(owner),
    });
    expect(climbing.status).toBe(400);
    expect(gateway.requests.length).toBe(before);
  });

  it('is denied without a token (401), to another organization (404) and to read-only members writing (403)', async () => {
    const before = gateway.requests.length;
    const query = { query: 'select 1 as one' };
    const anonymous = await h.call('POST', `/platform/pg-meta/${ref}/query`, { body: query });
    expect(anonymous.status).toBe(401);
    const forged = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      token: serviceKey, // the project's own key is no dashboard token
      body: query,
    });
    expect(forged.status).toBe(401);

    const other = await createOrganization(h.deps, {
      name: `Other ${randomBytes(3).toString('hex')}`,
    });
    const stranger = await h.signIn('owner', other.id);
    const foreign = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(stranger),
      body: query,
    });
    expect(foreign.status).toBe(404);
    expect((foreign.body as { message: string }).message).toMatch(/not found/);

    const reader = await h.signIn('read_only');
    // Read-only members may read through /query (pg-meta-read-only.test.ts), not write.
    const readOnlySql = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      headers: studioHeaders(reader),
      body: { query: 'create table public.nope (id int)' },
    });
    expect(readOnlySql.status).toBe(403);
    expect((readOnlySql.body as { message: string }).message).toMatch(/Read-only members/);
    expect(gateway.requests.length).toBe(before);

    const readOnlyList = await h.call('GET', `/platform/pg-meta/${ref}/schemas`, {
      headers: studioHeaders(reader),
    });
    expect(readOnlyList.status).toBe(200);
    expect((readOnlyList.body as { name: string }[]).map((s) => s.name)).toContain('public');
  });

  it('never hands the gateway a dashboard token, and the gateway lets no wrong key reach pg-meta', async () => {
    const pg = seen(ref).filter((r) => r.path.startsWith('/pg/'));
    expect(pg.length).toBeGreaterThan(3);
    for (const r of pg) {
      expect(r.apikey).toBe(serviceKey);
      expect(r.authorization).toBe(`Bearer ${serviceKey}`);
      expect(JSON.stringify(r.headers)).not.toContain(owner.token);
    }

    // The gateway itself: no key, a wrong key, the anon key → refused, pg-meta unasked.
    const project = await h.project(ref);
    const secrets = (await loadProjectSecrets(h.db.db, h.deps.keyring, project.id))!;
    const base = gateway.template.replace('{ref}', ref);
    for (const [key, status] of [
      [undefined, 401],
      [owner.token, 401],
      [secrets.SUPABASE_ANON_KEY, 403],
    ] as const) {
      const res = await fetch(`${base}/pg/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { apikey: key } : {}) },
        body: JSON.stringify({ query: 'select 1 as one' }),
      });
      expect(res.status).toBe(status);
      expect(await res.json()).not.toEqual([{ one: 1 }]);
    }
  });
});

describe('projects that do not serve', () => {
  it('answers 503 naming a paused project and its status, without calling its gateway', async () => {
    const paused = await activeProject('Sleeping');
    await pauseProject(h.deps, { actor: { id: 'test' }, input: { ref: paused } });
    await h.settle(paused, 'INACTIVE');
    const before = seen(paused).length;
    for (const [method, path] of [
      ['POST', `/platform/pg-meta/${paused}/query`],
      ['GET', `/platform/storage/${paused}/buckets`],
      ['POST', `/platform/auth/${paused}/users`],
    ] as const) {
      const res = await h.call(method, path, {
        headers: studioHeaders(owner),
        body: method === 'POST' ? { query: 'select 1', email: 'a@b.c' } : undefined,
      });
      expect(res.status, path).toBe(503);
      expect((res.body as { message: string }).message).toBe(
        `Project "Sleeping" (${paused}) is INACTIVE (paused); restore it to browse its data`,
      );
    }
    expect(seen(paused).length).toBe(before);
  });

  it('answers 502 naming the project when its gateway does not answer', async () => {
    const down = await activeProject('Unreachable');
    gateway.refuse(down);
    try {
      const res = await h.call('POST', `/platform/pg-meta/${down}/query`, {
        headers: studioHeaders(owner),
        body: { query: 'select 1' },
      });
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({ error: 'bad_gateway' });
      expect((res.body as { message: string }).message).toMatch(
        new RegExp(
          `^Project "Unreachable" \\(${down}\\) is ACTIVE_HEALTHY but its gateway could not be reached`,
        ),
      );
    } finally {
      gateway.refuse(down, false);
    }
  });

  it('times out a gateway that never answers with 504', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const gw: ProjectGateway = {
      project: { id: 1, ref: 'x'.repeat(20), name: 'Slow', status: 'ACTIVE_HEALTHY' },
      label: 'Project "Slow"',
      baseUrl: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      publicUrl: 'https://slow.example',
      serviceKey: 'k',
      anonKey: 'a',
    };
    try {
      const err = await forward(gw, {
        method: 'GET',
        path: '/pg/tables',
        scope: '/pg/',
        timeoutMs: 150,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProxyError);
      expect(err).toMatchObject({ status: 504, code: 'gateway_timeout' });
      expect((err as Error).message).toMatch(/Project "Slow" \(ACTIVE_HEALTHY\) did not answer/);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('auth users and settings → GoTrue admin API', () => {
  const last = () => gateway.requests.at(-1)!;

  it('maps user create, list, update, delete and factor removal', async () => {
    const created = await h.call('POST', `/platform/auth/${ref}/users`, {
      headers: studioHeaders(owner),
      body: { email: 'new@example.com', password: 'pw-123456', email_confirm: true },
    });
    expect(created.status).toBe(200);
    expect(last()).toMatchObject({
      method: 'POST',
      path: '/auth/v1/admin/users',
      apikey: serviceKey,
    });
    expect(JSON.parse(last().body)).toEqual({
      email: 'new@example.com',
      password: 'pw-123456',
      email_confirm: true,
    });

    const list = await h.call(
      'GET',
      `/platform/auth/${ref}/users?limit=20&offset=20&keywords=bob`,
      {
        headers: studioHeaders(owner),
      },
    );
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ total: 41, users: [{ id: 'u1', email: 'a@example.com' }] });
    expect(last()).toMatchObject({ method: 'GET', search: '?page=2&per_page=20&filter=bob' });

    const banned = await h.call('PATCH', `/platform/auth/${ref}/users/u1`, {
      headers: studioHeaders(owner),
      body: { ban_duration: '24h' },
    });
    expect(banned.status).toBe(200);
    expect(last()).toMatchObject({ method: 'PUT', path: '/auth/v1/admin/users/u1' });
    expect(JSON.parse(last().body)).toEqual({ ban_duration: '24h' });

    const before = gateway.requests.length;
    const factors = await h.call('DELETE', `/platform/auth/${ref}/users/u1/factors`, {
      headers: studioHeaders(owner),
    });
    expect(factors.status).toBe(200);
    expect(factors.body).toEqual({ deleted: 2 });
    expect(gateway.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /auth/v1/admin/users/u1/factors',
      'DELETE /auth/v1/admin/users/u1/factors/f1',
      'DELETE /auth/v1/admin/users/u1/factors/f2',
    ]);

    const deleted = await h.call('DELETE', `/platform/auth/${ref}/users/u1`, {
      headers: studioHeaders(owner),
    });
    expect(deleted.status).toBe(200);
    expect(last()).toMatchObject({ method: 'DELETE', path: '/auth/v1/admin/users/u1' });
  });

  it('maps invite, magic link, OTP and recovery; read-only members may not send them', async () => {
    for (const action of ['invite', 'magiclink', 'otp', 'recover']) {
      const res = await h.call('POST', `/platform/auth/${ref}/${action}`, {
        headers: studioHeaders(owner),
        body: { email: 'x@example.com' },
      });
      expect(res.status, action).toBe(200);
      expect(last()).toMatchObject({ method: 'POST', path: `/auth/v1/${action}` });
    }
    const reader = await h.signIn('read_only');
    const denied = await h.call('POST', `/platform/auth/${ref}/invite`, {
      headers: studioHeaders(reader),
      body: { email: 'x@example.com' },
    });
    expect(denied.status).toBe(403);
  });

  it('reads settings from the template, and a change is saved and applied with a restart', async () => {
    const config = await h.call('GET', `/platform/auth/${ref}/config`, {
      headers: studioHeaders(owner),
    });
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      SITE_URL: `https://${ref}.supa.test`,
      DISABLE_SIGNUP: false,
      EXTERNAL_EMAIL_ENABLED: true,
      MAILER_AUTOCONFIRM: false,
      EXTERNAL_PHONE_ENABLED: false,
      JWT_EXP: 3600,
      EXTERNAL_GITHUB_ENABLED: false,
    });
    const patch = await h.call('PATCH', `/platform/auth/${ref}/config`, {
      headers: studioHeaders(owner),
      body: { DISABLE_SIGNUP: true },
    });
    // Saved and applied (src/settings/, test/http/settings.test.ts covers the fields).
    expect(patch.status).toBe(200);
    await h.settle(ref, 'ACTIVE_HEALTHY');
    const after = await h.call('GET', `/platform/auth/${ref}/config`, {
      headers: studioHeaders(owner),
    });
    expect(after.body).toMatchObject({ DISABLE_SIGNUP: true });
  });
});

describe('storage → storage-api', () => {
  const last = () => gateway.requests.at(-1)!;
  const call = (method: string, path: string, body?: unknown) =>
    h.call(method, `/platform/storage/${ref}${path}`, { headers: studioHeaders(owner), body });

  it('lists buckets in Studio’s shape and maps bucket changes', async () => {
    const list = await call(
      'GET',
      '/buckets?limit=100&offset=0&sortColumn=created_at&sortOrder=desc',
    );
    expect(list.status).toBe(200);
    expect(validator('StorageBucketsResponse')(list.body)).toBe(true);
    expect(last()).toMatchObject({
      method: 'GET',
      path: '/storage/v1/bucket',
      search: '?limit=100&offset=0&sortColumn=created_at&sortOrder=desc',
      authorization: `Bearer ${serviceKey}`,
    });

    await call('POST', '/buckets', {
      id: 'media',
      public: true,
      file_size_limit: 1024,
      allowed_mime_types: ['image/png'],
    });
    expect(last()).toMatchObject({ method: 'POST', path: '/storage/v1/bucket' });
    expect(JSON.parse(last().body)).toEqual({
      id: 'media',
      name: 'media',
      public: true,
      file_size_limit: 1024,
      allowed_mime_types: ['image/png'],
    });
    await call('PATCH', '/buckets/media', { public: false });
    expect(last()).toMatchObject({ method: 'PUT', path: '/storage/v1/bucket/media' });
    expect(JSON.parse(last().body)).toEqual({ id: 'media', name: 'media', public: false });
    await call('POST', '/buckets/media/empty');
    expect(last()).toMatchObject({ method: 'POST', path: '/storage/v1/bucket/media/empty' });
    await call('DELETE', '/buckets/media');
    expect(last()).toMatchObject({ method: 'DELETE', path: '/storage/v1/bucket/media' });

    const missing = await call('GET', '/buckets/missing');
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ message: 'Bucket not found' });
  });

  it('maps object listing, copy, move and delete', async () => {
    await call('POST', '/buckets/media/objects/list', {
      path: 'photos',
      options: { limit: 10, search: 'cat' },
    });
    expect(last()).toMatchObject({ method: 'POST', path: '/storage/v1/object/list/media' });
    expect(JSON.parse(last().body)).toEqual({
      prefix: 'photos',
      limit: 10,
      offset: 0,
      search: 'cat',
      sortBy: { column: 'name', order: 'asc' },
    });
    await call('POST', '/buckets/media/objects/list-v2', { prefix: 'photos/', limit: 5 });
    expect(last()).toMatchObject({ path: '/storage/v1/object/list-v2/media' });
    expect(JSON.parse(last().body)).toEqual({ prefix: 'photos/', limit: 5 });
    await call('POST', '/buckets/media/objects/move', { from: 'a.png', to: 'b/a.png' });
    expect(last()).toMatchObject({ path: '/storage/v1/object/move' });
    expect(JSON.parse(last().body)).toEqual({
      bucketId: 'media',
      sourceKey: 'a.png',
      destinationKey: 'b/a.png',
    });
    await call('POST', '/buckets/media/objects/copy', { from: 'a.png', to: 'c.png' });
    expect(last()).toMatchObject({ path: '/storage/v1/object/copy' });
    const removed = await call('DELETE', '/buckets/media/objects', {
      paths: ['a.png', 'b/c d.png'],
    });
    expect(removed.status).toBe(200);
    expect(last()).toMatchObject({ method: 'DELETE', path: '/storage/v1/object/media' });
    expect(JSON.parse(last().body)).toEqual({ prefixes: ['a.png', 'b/c d.png'] });
  });

  it('hands back signed and public URLs on the project’s public address, and streams downloads', async () => {
    const signed = await call('POST', '/buckets/media/objects/sign', {
      path: 'b/c d.png',
      expiresIn: 60,
    });
    expect(signed.status).toBe(200);
    expect(signed.body).toEqual({
      signedUrl: `https://${ref}.supa.test/storage/v1/object/sign/media/b/c%20d.png?token=t0k`,
    });
    expect(last()).toMatchObject({ path: '/storage/v1/object/sign/media/b/c%20d.png' });
    expect(JSON.parse(last().body)).toEqual({ expiresIn: 60 });

    const multi = await call('POST', '/buckets/media/objects/sign-multi', {
      path: ['x.png'],
      expiresIn: 60,
    });
    expect(multi.body).toEqual([
      {
        error: null,
        path: 'x.png',
        signedUrl: `https://${ref}.supa.test/storage/v1/object/sign/media/x.png?token=t`,
      },
    ]);

    const before = gateway.requests.length;
    const pub = await call('POST', '/buckets/media/objects/public-url', { path: 'x.png' });
    expect(pub.body).toEqual({
      publicUrl: `https://${ref}.supa.test/storage/v1/object/public/media/x.png`,
    });
    expect(gateway.requests.length).toBe(before);

    const download = await call('POST', '/buckets/media/objects/download', { path: 'b/c d.png' });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('text/plain');
    expect(download.body).toBe('bytes of /storage/v1/object/media/b/c%20d.png');
  });
});

describe('PostgREST OpenAPI', () => {
  it('serves GET and HEAD /platform/projects/{ref}/api/rest from <gateway>/rest/v1/', async () => {
    const res = await h.call('GET', `/platform/projects/${ref}/api/rest`, {
      headers: studioHeaders(owner),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ swagger: '2.0' });
    expect(gateway.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/rest/v1/',
      apikey: serviceKey,
    });
    const head = await h.call('HEAD', `/platform/projects/${ref}/api/rest`, {
      headers: studioHeaders(owner),
    });
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
  });
});
