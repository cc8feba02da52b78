import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createUser } from '../../src/identity/users.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';

/**
 * Which client address the per-client limits count, over a real socket
 * (@hono/node-server on an ephemeral port), since app.request() has no peer. Kills
 * mutant M04 of ../shared/reference/audits/tests.md (X-Forwarded-For believed from
 * any peer) and reproduces security audit 18.3 (10 failures from anywhere locked
 * the account, the right password included).
 */

const PASSWORD = 'correct horse battery';
let h: ApiHarness;
const servers: ServerType[] = [];

/** The app served on 127.0.0.1 with `trustedProxies`, at a base URL. */
async function served(
  trustedProxies: string[],
  config: Partial<ApiHarness['deps']['config']> = {},
): Promise<string> {
  const app = createApp({
    ...h.deps,
    config: { ...h.deps.config, SUPAPLANE_TRUSTED_PROXIES: trustedProxies, ...config },
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function newUser(): Promise<string> {
  const email = `addr-${randomBytes(4).toString('hex')}@example.com`;
  await createUser(h.deps, { email, password: PASSWORD });
  return email;
}

const signIn = (base: string, email: string, password: string, xff?: string) =>
  fetch(`${base}/auth/v1/token?grant_type=password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify({ email, password }),
  });

beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(async () => {
  for (const s of servers) s.close();
  await h?.close();
});

describe('login limiter: the client address', () => {
  it('counts the socket peer, not a rotating X-Forwarded-For, when no proxy is configured', async () => {
    const base = await served([]);
    const email = await newUser();
    for (let i = 0; i < 5; i++) {
      const res = await signIn(base, email, `wrong ${i}`, `198.51.100.${i + 1}`);
      expect(res.status).toBe(400);
    }
    // A sixth address in X-Forwarded-For is no fresh client: the peer is still 127.0.0.1.
    const sixth = await signIn(base, email, 'wrong 6', '198.51.100.99');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await sixth.json()) as { message: string }).message).toMatch(/Too many failed/);
  });

  it('believes X-Forwarded-For from a configured proxy, right to left, and never locks the owner out', async () => {
    const base = await served(['127.0.0.0/8', '10.0.0.0/8']);
    const email = await newUser();
    const attacker = '198.51.100.7';
    for (let i = 0; i < 5; i++) {
      expect((await signIn(base, email, `wrong ${i}`, attacker)).status).toBe(400);
    }
    expect((await signIn(base, email, 'wrong 5', attacker)).status).toBe(429);
    // Spoofed hops to the left of the address our proxies saw change nothing.
    expect((await signIn(base, email, PASSWORD, `203.0.113.5, ${attacker}`)).status).toBe(429);
    // Nor does a trusted proxy hop appended after it.
    expect((await signIn(base, email, PASSWORD, `${attacker}, 10.1.2.3`)).status).toBe(429);
    // The owner, from their own address, signs in with the right password.
    const owner = await signIn(base, email, PASSWORD, '192.0.2.44');
    expect(owner.status).toBe(200);
    expect(((await owner.json()) as { access_token?: string }).access_token).toEqual(
      expect.any(String),
    );
  });
});

const post = (base: string, path: string, body: unknown, xff?: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify(body),
  });

describe('unauthenticated routes: per-client caps (issue 17, audit 18.7)', () => {
  it('answers 429 with a message past the in-flight cap, other clients unaffected', async () => {
    const base = await served(['127.0.0.1'], {
      SUPAPLANE_UNAUTHENTICATED_IN_FLIGHT_PER_CLIENT: 2,
    });
    // Each sign-in hashes (scrypt), so twelve sent at once overlap.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(
          base,
          '/auth/v1/token?grant_type=password',
          { email: `nobody-${i}@example.com`, password: 'x' },
          '198.51.100.20',
        ),
      ),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(2);
    const refused = burst.find((r) => r.status === 429)!;
    expect(((await refused.json()) as { message: string }).message).toMatch(/in progress/);
    // Afterwards, and for another client meanwhile, requests are served again.
    const email = await newUser();
    expect((await signIn(base, email, PASSWORD, '198.51.100.20')).status).toBe(200);
    const refresh = await post(
      base,
      '/auth/v1/token?grant_type=refresh_token',
      { refresh_token: 'unknown' },
      '198.51.100.21',
    );
    expect(refresh.status).toBe(400);
  });

  it('limits sign-ups and password resets per client, and an existing address costs as much as a new one', async () => {
    const base = await served(['127.0.0.1'], { SUPAPLANE_ALLOW_SIGNUP: true });
    const existing = await newUser();
    const timed = async (email: string) => {
      const t = performance.now();
      const res = await post(
        base,
        '/platform/signup',
        { email, password: 'Spam-Pass-12345' },
        '198.51.100.30',
      );
      expect(res.status).toBe(200);
      return performance.now() - t;
    };
    const fresh: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 4; i++) {
      fresh.push(await timed(`fresh-${randomBytes(4).toString('hex')}@example.com`));
      known.push(await timed(existing));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Was 2 ms against 92 ms: the hash dominates both now.
    expect(median(known)).toBeGreaterThan(median(fresh) * 0.5);
    for (let i = 0; i < 2; i++) await timed(existing); // 10 from this client
    const over = await post(
      base,
      '/platform/signup',
      { email: existing, password: 'x'.repeat(12) },
      '198.51.100.30',
    );
    expect(over.status).toBe(429);
    expect(((await over.json()) as { message: string }).message).toMatch(/Too many sign-up/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);

    for (let i = 0; i < 10; i++) {
      const res = await post(
        base,
        '/platform/reset-password',
        { email: existing },
        '198.51.100.31',
      );
      expect(res.status).toBe(200);
    }
    const reset = await post(
      base,
      '/platform/reset-password',
      { email: existing },
      '198.51.100.31',
    );
    expect(reset.status).toBe(429);
    // Another client is not held back.
    const other = await post(
      base,
      '/platform/reset-password',
      { email: existing },
      '198.51.100.32',
    );
    expect(other.status).toBe(200);
  });
});
