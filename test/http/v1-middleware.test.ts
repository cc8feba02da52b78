import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../../src/db/schema/index.js';
import { createAccessToken } from '../../src/identity/access-tokens.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({
    startRunner: false,
    env: { SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: '5' },
  });
});
afterAll(() => h?.close());

describe('/v1 rate limiting', () => {
  it('answers 429 with Retry-After per token, other tokens unaffected', async () => {
    const a = await h.signIn('owner');
    const b = await h.signIn('owner');
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await h.call('GET', '/v1/organizations', { as: a });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.body).toMatchObject({ message: expect.stringContaining('Too many requests') });
    expect((await h.call('GET', '/v1/organizations', { as: b })).status).toBe(200);
  });
});

describe('the rate limit keys on the verified token (audit 18.4)', () => {
  it('gives a respelled Authorization header no fresh budget, and counts a PAT on /platform too', async () => {
    const user = await h.signIn('owner');
    const pat = await createAccessToken(h.deps, {
      actor: { userId: user.user.id, email: user.user.email, via: 'session' },
      input: { name: 'rl' },
    });
    const spellings = [
      `Bearer ${pat.token}`,
      `bearer ${pat.token}`,
      `Bearer   ${pat.token}`,
      `BEARER\t${pat.token}`,
    ];
    const statuses: number[] = [];
    for (const authorization of spellings) {
      const res = await h.call('GET', '/v1/organizations', { headers: { authorization } });
      statuses.push(res.status);
    }
    // The same PAT on Studio's routes draws from the same bucket.
    statuses.push((await h.call('GET', '/platform/projects', { token: pat.token })).status);
    statuses.push((await h.call('GET', '/platform/profile', { token: pat.token })).status);
    statuses.push((await h.call('GET', '/v1/projects', { token: pat.token })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // Dashboard sessions on /platform are Studio's own traffic: not limited there.
    for (let i = 0; i < 7; i++) {
      expect((await h.call('GET', '/platform/projects', { as: user })).status).toBe(200);
    }
  });
});

describe('Idempotency-Key on POST', () => {
  it('replays the first response for the same key and body, 409 for another body', async () => {
    const user = await h.signIn('owner');
    const before = (await h.db.db.select().from(organizations)).length;
    const headers = { 'Idempotency-Key': 'org-create-1' };
    const send = (name: string) =>
      h.call('POST', '/v1/organizations', { as: user, body: { name }, headers });
    const [first, second] = await Promise.all([send('Once only'), send('Once only')]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect((await h.db.db.select().from(organizations)).length).toBe(before + 1);
    const other = await send('Something else');
    expect(other.status).toBe(409);
    // Another token's identical key is its own request.
    const someoneElse = await h.signIn('owner');
    const theirs = await h.call('POST', '/v1/organizations', {
      as: someoneElse,
      body: { name: 'Once only' },
      headers,
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body).not.toEqual(first.body);
  });
});

describe('OpenAPI document and reference', () => {
  it('serves /openapi.json generated from the route schemas, and /docs', async () => {
    const doc = await h.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const body = doc.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: object }>>;
      components: { securitySchemes: object };
    };
    expect(body.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/projects',
      '/v1/projects/{ref}',
      '/v1/projects/{ref}/api-keys',
      '/v1/projects/{ref}/database/query',
      '/v1/projects/{ref}/database/migrations',
      '/v1/projects/{ref}/secrets',
      '/v1/organizations/{slug}/projects',
      '/platform/profile/access-tokens',
    ]) {
      expect(body.paths[path], path).toBeDefined();
    }
    expect(Object.keys(body.paths['/v1/projects']!)).toEqual(['get', 'post']);
    expect(body.components.securitySchemes).toHaveProperty('bearer');
    const docs = await h.app.request('/docs');
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain('swagger');
    expect(html).toContain('/openapi.json');
  });

  it('serves swagger-ui from the installed package, never from another origin (audit 18.8)', async () => {
    const html = await (await h.app.request('/docs')).text();
    const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual([
      '/docs/swagger-ui-dist/swagger-ui.css',
      '/docs/swagger-ui-dist/swagger-ui-bundle.js',
    ]);
    expect(html).not.toMatch(/https?:\/\//);
    const { version } = JSON.parse(
      readFileSync('node_modules/swagger-ui-dist/package.json', 'utf8'),
    ) as { version: string };
    const js = await h.app.request('/docs/swagger-ui-dist/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain(version);
    const css = await h.app.request('/docs/swagger-ui-dist/swagger-ui.css');
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect((await h.app.request('/docs/swagger-ui-dist/..%2Fpackage.json')).status).toBe(404);
  });
});
