import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createUser } from '../../src/services/users.js';
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
async function served(trustedProxies: string[]): Promise<string> {
  const app = createApp({
    ...h.deps,
    config: { ...h.deps.config, SUPAPLANE_TRUSTED_PROXIES: trustedProxies },
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
