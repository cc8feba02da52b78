import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '../../src/projects/projects.js';
import { gatewayUrl, hasDotSegment } from '../../src/gateway/gateway-path.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

/**
 * Security audit finding 1 (../shared/reference/audits/security.md): dot segments in a
 * proxied path reached any path of the project's gateway, outside its `{ref}` prefix
 * too, with the service_role key. fetch() resolves `.`/`..`/`%2e` (WHATWG URL), so
 * every form is tried on every value that becomes part of an upstream path. The gateway
 * is a path template (`http://127.0.0.1:<port>/{ref}`), as in the audit.
 */

let h: ApiHarness;
let gateway: TestGateway;
let ref: string;
let reader: SignedInUser;
let owner: SignedInUser;

/** Values for body fields that become (part of) a path: object keys, user ids. */
const BODY_FORMS = [
  '..',
  '.',
  '../../../../rest/v1/private_table',
  '../../../../../ffpiqraosedgkalnlpbn/auth/v1/admin/users',
  '../../../../../../../../internal-admin',
  'a/../../../x',
  'a/./b',
  '%2e%2e/%2e%2e/x',
  '%2E%2e/x',
  '.%2e/x',
  '%252e%252e/%252e%252e/x',
  '%25252e%25252e/x',
  '..\\..\\x',
  '..%5c..%5cx',
  '..%255cx',
  '%2e%2e%2f%2e%2e%2fx',
  '..%2f..%2fx',
  '.\t./x',
  'a\\..\\..\\x',
];

/** Forms for a URL path parameter (bucket id, user id, the ref, pg-meta's sub-path). */
const URL_FORMS = [
  '..',
  '.',
  '%2e%2e',
  '%2E.',
  '.%2e',
  '%252e%252e',
  '%25252e%25252e',
  '..%2f..',
  '..%2F..%2Frest',
  '..%5c..',
  '..%255c..',
  '%2e%2e%2f%2e%2e',
  '..\\..',
  '%2e%2e%5c%2e%2e',
];

beforeAll(async () => {
  gateway = await startTestGateway();
  h = await startApiHarness({ env: { SUPAPLANE_GATEWAY_URL: gateway.template } });
  gateway.attach({
    db: h.db.db,
    keyring: h.deps.keyring,
    pgMetaUrl: 'http://127.0.0.1:9', // never reached: every pg-meta request here is refused
    fallbackTemplate: h.sim.gatewayUrlTemplate,
  });
  const p = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name: 'Traversal' },
  });
  await h.settle(p.ref, 'ACTIVE_HEALTHY');
  ref = p.ref;
  reader = await h.signIn('read_only');
  owner = await h.signIn('owner');
});

afterAll(async () => {
  await h?.close();
  await gateway?.close();
});

/** Every attack: refused with a 4xx carrying `message`, and nothing sent to the gateway. */
async function expectRefused(
  as: SignedInUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<void> {
  const before = gateway.requests.length;
  const res = await h.call(method, path, { as, body });
  const label = `${method} ${path} ${JSON.stringify(body) ?? ''}`;
  expect(res.status, label).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect((res.body as { message?: unknown }).message, label).toEqual(expect.any(String));
  expect(gateway.requests.slice(before), label).toEqual([]);
}

/**
 * For URL path parameters: raw `.`/`..` (and `%2e`, which WHATWG URL parsing treats
 * alike) are resolved in the caller's own URL before routing, so they may land on
 * another of our routes; what matters is that nothing reaches the gateway outside
 * the project's prefix and the route's scope, and that no 5xx comes back from us.
 */
async function expectContained(
  as: SignedInUser,
  method: string,
  path: string,
  scope: string,
  body?: unknown,
): Promise<void> {
  const before = gateway.requests.length;
  const res = await h.call(method, path, { as, body });
  const label = `${method} ${path}`;
  for (const sent of gateway.requests.slice(before)) {
    expect(sent.ref, label).toBe(ref);
    expect(sent.path.startsWith(scope), `${label} → ${sent.path}`).toBe(true);
    expect(hasDotSegment(sent.path), `${label} → ${sent.path}`).toBe(false);
  }
  if (gateway.requests.length === before) {
    expect(res.status, label).toBeGreaterThanOrEqual(400);
    expect(res.status, label).toBeLessThan(500);
    expect((res.body as { message?: unknown }).message, label).toEqual(expect.any(String));
  }
}

describe('storage proxy: dot segments in object paths', () => {
  it('refuses every form in download/sign/public-url/list paths, for a read-only member', async () => {
    const objects = `/platform/storage/${ref}/buckets/b/objects`;
    for (const path of BODY_FORMS) {
      await expectRefused(reader, 'POST', `${objects}/download`, { path });
      await expectRefused(reader, 'POST', `${objects}/sign`, {
        path,
        expiresIn: 60,
        options: { transform: { p_arg: 'x' } },
      });
      await expectRefused(reader, 'POST', `${objects}/public-url`, { path });
      await expectRefused(reader, 'POST', `${objects}/list`, { path });
      await expectRefused(reader, 'POST', `${objects}/sign-multi`, { paths: ['ok.png', path] });
    }
  });

  it('refuses every form in the keys of copy, move and delete (write roles)', async () => {
    const objects = `/platform/storage/${ref}/buckets/b/objects`;
    for (const key of BODY_FORMS) {
      await expectRefused(owner, 'POST', `${objects}/copy`, { from: key, to: 'x.png' });
      await expectRefused(owner, 'POST', `${objects}/move`, { from: 'x.png', to: key });
      await expectRefused(owner, 'DELETE', objects, { paths: [key] });
    }
  });

  it('refuses every form as the bucket id, on every bucket route', async () => {
    const scope = '/storage/v1/';
    for (const id of URL_FORMS) {
      const bucket = `/platform/storage/${ref}/buckets/${id}`;
      await expectContained(owner, 'GET', bucket, scope);
      await expectContained(owner, 'PATCH', bucket, scope, { public: true });
      await expectContained(owner, 'DELETE', bucket, scope);
      await expectContained(owner, 'POST', `${bucket}/empty`, scope);
      for (const op of ['list', 'list-v2', 'sign-multi', 'download', 'sign', 'public-url']) {
        await expectContained(reader, 'POST', `${bucket}/objects/${op}`, scope, {
          path: 'x.png',
          paths: ['x.png'],
        });
      }
      await expectContained(owner, 'DELETE', `${bucket}/objects`, scope, { paths: ['x.png'] });
    }
  });

  it('still lets a read-only member list and download objects, and nothing else', async () => {
    const objects = `/platform/storage/${ref}/buckets/media/objects`;
    const listed = await h.call('POST', `${objects}/list`, { as: reader, body: { path: 'p/' } });
    expect(listed.status).toBe(200);
    expect(gateway.requests.at(-1)).toMatchObject({
      ref,
      method: 'POST',
      path: '/storage/v1/object/list/media',
    });
    const file = await h.call('POST', `${objects}/download`, {
      as: reader,
      body: { path: 'p/..x/a..b/.hidden/c d.png' },
    });
    expect(file.status).toBe(200);
    expect(file.body).toBe('bytes of /storage/v1/object/media/p/..x/a..b/.hidden/c%20d.png');
    expect(gateway.requests.at(-1)).toMatchObject({ ref, method: 'GET' });

    const before = gateway.requests.length;
    for (const [method, path, body] of [
      ['POST', `/platform/storage/${ref}/buckets`, { id: 'new' }],
      ['DELETE', objects, { paths: ['x.png'] }],
      ['POST', `${objects}/move`, { from: 'a', to: 'b' }],
      ['DELETE', `/platform/storage/${ref}/buckets/media`, undefined],
    ] as const) {
      const res = await h.call(method, path, { as: reader, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(gateway.requests.length).toBe(before);
  });
});

describe('auth admin, pg-meta and the project ref: dot segments in path parameters', () => {
  it('refuses every form as a GoTrue user id (URL and DELETE /users body)', async () => {
    const scope = '/auth/v1/admin/users';
    for (const id of URL_FORMS) {
      const user = `/platform/auth/${ref}/users/${id}`;
      await expectContained(owner, 'GET', user, scope);
      await expectContained(owner, 'PATCH', user, scope, { ban_duration: '24h' });
      await expectContained(owner, 'DELETE', user, scope);
      await expectContained(owner, 'DELETE', `${user}/factors`, scope);
    }
    for (const id of [...BODY_FORMS, ...URL_FORMS]) {
      await expectRefused(owner, 'DELETE', `/platform/auth/${ref}/users`, { id });
    }
  });

  it('refuses every form in the pg-meta sub-path and as the ref of every proxy', async () => {
    for (const form of URL_FORMS) {
      const pg = `/platform/pg-meta/${ref}`;
      await expectContained(owner, 'GET', `${pg}/${form}/auth/v1/admin/users`, '/pg/');
      await expectContained(owner, 'GET', `${pg}/tables/${form}/${form}/x`, '/pg/');
      await expectContained(owner, 'GET', `/platform/storage/${form}/buckets`, '/storage/v1/');
      await expectContained(owner, 'GET', `/platform/auth/${form}/users`, '/auth/v1/');
      await expectContained(owner, 'GET', `/platform/pg-meta/${form}/tables`, '/pg/');
      await expectContained(owner, 'GET', `/platform/projects/${form}/api/rest`, '/rest/v1/');
    }
  });
});

describe('gatewayUrl: the one check every proxy call passes', () => {
  const base = 'http://gw.test/abcdefghijklmnopqrst';

  it('keeps a path under the project prefix and the scope, and refuses the rest', () => {
    expect(gatewayUrl(base, '/storage/v1/object/b/x%20y.png', '/storage/v1/object/b/')).toBe(
      `${base}/storage/v1/object/b/x%20y.png`,
    );
    expect(gatewayUrl('http://gw.test', '/pg/tables', '/pg/')).toBe('http://gw.test/pg/tables');
    for (const path of [
      '/storage/v1/object/b/../../../rest/v1/t',
      '/storage/v1/object/b/%2e%2e/%2e%2e/x',
      '/storage/v1/object/b/%252e%252e/x',
      '/storage/v1/object/bx/y', // a sibling bucket: outside `/object/b/`
      '/rest/v1/t',
      '//evil.test/x',
    ]) {
      expect(() => gatewayUrl(base, path, '/storage/v1/object/b/'), path).toThrow(/Invalid path/);
    }
  });

  it('finds dot segments in raw, encoded, double-encoded and backslashed forms only', () => {
    for (const v of BODY_FORMS) expect(hasDotSegment(v), v).toBe(true);
    for (const v of URL_FORMS) expect(hasDotSegment(v), v).toBe(true);
    for (const v of ['a.png', '..png', 'a..b/c', '.hidden', '...', '100%.png', 'a%2fb', '%zz'])
      expect(hasDotSegment(v), v).toBe(false);
  });
});
