import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp } from '../../src/http/server.js';
import { startApiHarness, STUDIO_ORIGIN, type ApiHarness } from '../support/api.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h?.close());

describe('headers on every answer', () => {
  it('echoes the caller’s request id, or makes one, on success and on error', async () => {
    const ok = await h.call('GET', '/health', { headers: { 'X-Request-Id': 'req-123' } });
    expect(ok.headers.get('x-request-id')).toBe('req-123');
    const made = await h.call('GET', '/platform/profile');
    expect(made.status).toBe(401);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await h.call('GET', '/no/such/route');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows Studio’s origin with credentials, and no other', async () => {
    const studio = await h.call('GET', '/health', { headers: { Origin: STUDIO_ORIGIN } });
    expect(studio.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
    expect(studio.headers.get('access-control-allow-credentials')).toBe('true');
    expect(studio.headers.get('vary')).toBe('Origin');
    const other = await h.call('GET', '/health', { headers: { Origin: 'http://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
  });

  it('answers preflights with the methods and headers Studio uses', async () => {
    const res = await h.call('OPTIONS', '/platform/projects', {
      headers: { Origin: STUDIO_ORIGIN, 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-connection-encrypted');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

// The two hot reads make their own answers with plain headers (src/http/answer-headers.ts),
// and through the Node server read request headers from Node's own (src/http/request-header.ts):
// whatever set a header on the way must still reach the client, on either path.
type Get = (path: string, headers: Record<string, string>) => Promise<Response>;

async function expectHotReadHeaders(get: Get) {
  const owner = await h.signIn('owner');
  const created = await h.call('POST', '/platform/projects', {
    as: owner,
    body: { name: 'Headed', organization_slug: h.org.slug },
  });
  expect(created.status).toBe(201);
  const ref = (created.body as { ref: string }).ref;
  const pat = await h.call('POST', '/platform/profile/access-tokens', {
    as: owner,
    body: { name: 'ci' },
  });
  const token = (pat.body as { token: string }).token;
  const headers = { Origin: STUDIO_ORIGIN, 'X-Request-Id': 'hot-1' };
  const paths = [`/platform/projects/${ref}`, `/platform/organizations/${h.org.slug}/projects`];
  for (const path of paths) {
    for (const bearer of [owner.token, token]) {
      const res = await get(path, { ...headers, Authorization: `Bearer ${bearer}` });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('x-request-id')).toBe('hot-1');
      expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
      expect(res.headers.get('vary')).toBe('Origin');
      const limit = res.headers.get('x-ratelimit-limit');
      if (bearer === token) expect(Number(limit)).toBeGreaterThan(0);
      else expect(limit).toBeNull();
      await res.arrayBuffer();
    }
  }
  const missing = await get('/platform/projects/zzzzzzzzzzzzzzzzzzzz', {
    ...headers,
    Authorization: `Bearer ${token}`,
  });
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { message: string }).message).toMatch(/zzzz/);
  expect(missing.headers.get('x-request-id')).toBe('hot-1');
  expect(missing.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
  expect(Number(missing.headers.get('x-ratelimit-limit'))).toBeGreaterThan(0);
  const signedOut = await get(paths[0]!, headers);
  expect(signedOut.status).toBe(401);
  expect(signedOut.headers.get('x-request-id')).toBe('hot-1');
  await signedOut.arrayBuffer();
}

describe('headers on the answers of Studio’s hot reads', () => {
  it('carry the request id, CORS and a personal access token’s rate-limit headers, also on errors', async () => {
    await expectHotReadHeaders((path, headers) =>
      Promise.resolve(h.app.request(path, { headers })),
    );
    const head = await h.app.request(`/platform/organizations/${h.org.slug}/projects`, {
      method: 'HEAD',
      headers: { 'X-Request-Id': 'hot-2', Authorization: `Bearer ${(await h.signIn()).token}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-request-id')).toBe('hot-2');
  });

  it('the same through the Node server main.ts runs', async () => {
    const server = await new Promise<Server>((resolve) => {
      const s = serveHttp(h.app.fetch, { ...h.deps.config, PORT: 0, HOST: '127.0.0.1' }, () =>
        resolve(s),
      );
    });
    try {
      const { port } = server.address() as AddressInfo;
      await expectHotReadHeaders((path, headers) =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers }),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
