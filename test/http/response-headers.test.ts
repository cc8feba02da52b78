import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
