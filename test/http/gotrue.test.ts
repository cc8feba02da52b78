import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginRateLimiter, SlidingWindowCounter } from '../../src/auth/login-rate-limit.js';
import { refreshTokens, sessions } from '../../src/db/schema/index.js';
import { hashToken } from '../../src/identity/authentication.js';
import { createUser } from '../../src/identity/users.js';
import { STUDIO_ORIGIN, startApiHarness, type ApiHarness } from '../support/api.js';

/**
 * /auth/v1 as Studio's @supabase/auth-js v2 client uses it (not installed here, so
 * the requests below copy what its `_request` sends: JSON with charset, the API
 * version and client-info headers, no apikey).
 */
const AUTH_JS_HEADERS = {
  'Content-Type': 'application/json;charset=UTF-8',
  'X-Client-Info': 'gotrue-js/2.71.1',
  'X-Supabase-Api-Version': '2024-01-01',
  Origin: STUDIO_ORIGIN,
};
const PASSWORD = 'correct horse battery';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h.close());

interface Session {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  expires_at: number;
  user: Record<string, unknown>;
}

const newEmail = () => `dash-${randomBytes(4).toString('hex')}@example.com`;
/**
 * app.request() has no socket, so every request here counts against the address
 * `unknown`; X-Forwarded-For is believed only from configured proxies. Limits per
 * address and trusted proxies are tested over a real socket in client-address.test.ts.
 */

async function newUser() {
  const email = newEmail();
  const user = await createUser(h.deps, { email, password: PASSWORD });
  return { email, user };
}

function auth(method: string, path: string, opts: { body?: unknown; token?: string } = {}) {
  return h.call(method, `/auth/v1${path}`, {
    body: opts.body,
    token: opts.token,
    headers: AUTH_JS_HEADERS,
  });
}

const signIn = (email: string, password = PASSWORD) =>
  auth('POST', '/token?grant_type=password', {
    body: { email, password, gotrue_meta_security: {} },
  });

const refresh = (refreshToken: string) =>
  auth('POST', '/token?grant_type=refresh_token', { body: { refresh_token: refreshToken } });

const profileStatus = async (token: string) =>
  (await h.call('GET', '/platform/profile', { token, headers: { Version: '2' } })).status;

/** Moves a rotated refresh token's revocation `ms` into the past. */
async function ageRotation(refreshToken: string, ms: number) {
  await h.db.db
    .update(refreshTokens)
    .set({ revokedAt: new Date(Date.now() - ms) })
    .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('POST /auth/v1/token?grant_type=password', () => {
  it('answers a GoTrue session whose token the platform API accepts', async () => {
    const { email, user } = await newUser();
    const res = await signIn(email.toUpperCase());
    expect(res.status).toBe(200);
    const s = res.body as Session;
    expect(s.token_type).toBe('bearer');
    expect(s.expires_in).toBe(3600);
    expect(Math.abs(s.expires_at - (Date.now() / 1000 + 3600))).toBeLessThan(5);
    expect(s.refresh_token.length).toBeGreaterThanOrEqual(40);
    expect(s.user).toMatchObject({
      id: user.id,
      aud: 'authenticated',
      role: 'authenticated',
      email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      factors: [],
      is_anonymous: false,
    });
    expect(s.user.identities).toEqual([
      expect.objectContaining({ provider: 'email', user_id: user.id, email }),
    ]);
    for (const field of ['email_confirmed_at', 'confirmed_at', 'last_sign_in_at', 'created_at']) {
      expect(Number.isNaN(Date.parse(s.user[field] as string)), field).toBe(false);
    }
    expect(claims(s.access_token)).toMatchObject({
      sub: user.id,
      email,
      role: 'authenticated',
      aal: 'aal1',
      amr: [expect.objectContaining({ method: 'password' })],
      session_id: expect.any(String),
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(STUDIO_ORIGIN);
    // A valid token reaches the platform API: the user just has no profile yet.
    expect(await profileStatus(s.access_token)).toBe(404);
  });

  it('rejects a wrong password and an unknown email alike, in GoTrue error shape', async () => {
    const { email } = await newUser();
    const wrong = await signIn(email, 'not the password');
    const unknown = await signIn(newEmail());
    const expected = {
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
      message: 'Invalid login credentials',
    };
    expect(wrong).toMatchObject({ status: 400, body: expected });
    expect(unknown).toMatchObject({ status: 400, body: expected });
  });

  it('answers 400 with a message for a missing password or an unsupported grant', async () => {
    const missing = await auth('POST', '/token?grant_type=password', {
      body: { email: newEmail() },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 400, error_code: 'validation_failed' });
    const grant = await auth('POST', '/token?grant_type=magic', { body: {} });
    expect(grant.status).toBe(400);
    expect((grant.body as { msg: string }).msg).toMatch(/grant_type/);
  });

  // Was "locks an account after 10 failures": that let anyone lock any account
  // (security audit 18.3); the wait now applies to the (account, address) pair only.
  it('backs off an (account, address) pair after 5 failures with 429 and Retry-After, even for the right password', async () => {
    const { email } = await newUser();
    for (let i = 0; i < 5; i++) expect((await signIn(email, `wrong ${i}`)).status).toBe(400);
    const locked = await signIn(email);
    expect(locked.status).toBe(429);
    expect(locked.body).toMatchObject({ code: 429, error_code: 'over_request_rate_limit' });
    expect((locked.body as { message: string }).message).toMatch(
      /Too many failed sign-in attempts/,
    );
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets CORS preflights through with the headers auth-js sends', async () => {
    const res = await h.app.request('/auth/v1/token?grant_type=password', {
      method: 'OPTIONS',
      headers: {
        Origin: STUDIO_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,x-client-info,x-supabase-api-version',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/x-supabase-api-version/);
  });
});

describe('login rate limiter', () => {
  it('slides: attempts leave the window one by one', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(2, 1000, 10, () => now);
    counter.record('k');
    now = 400;
    counter.record('k');
    expect(counter.waitMs('k')).toBe(600);
    now = 1001;
    expect(counter.waitMs('k')).toBe(0);
  });

  it('backs off one (account, address) pair, doubling; other addresses and a success are unaffected', () => {
    let now = 0;
    const limiter = new LoginRateLimiter({
      freeFailures: 3,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      perAddress: 100,
      windowMs: 60_000,
      now: () => now,
    });
    const bad = { email: 'victim', address: '1.2.3.4' };
    for (let i = 0; i < 3; i++) limiter.recordAttempt(bad);
    expect(limiter.retryAfterSeconds(bad)).toBe(1);
    expect(limiter.retryAfterSeconds({ email: 'victim', address: '5.6.7.8' })).toBe(0);
    now = 1000;
    limiter.recordAttempt(bad);
    expect(limiter.retryAfterSeconds(bad)).toBe(2);
    now = 3000;
    limiter.recordAttempt(bad);
    now = 3000;
    expect(limiter.retryAfterSeconds(bad)).toBe(4);
    for (let i = 0; i < 5; i++) limiter.recordAttempt(bad);
    expect(limiter.retryAfterSeconds(bad)).toBe(8); // capped
    now = 3000 + 61_000; // the window forgets the pair
    expect(limiter.retryAfterSeconds(bad)).toBe(0);
    limiter.recordAttempt(bad);
    limiter.recordSuccess(bad);
    expect(limiter.retryAfterSeconds(bad)).toBe(0);
  });

  it('limits an address across accounts; successes from one office address never count', () => {
    const limiter = new LoginRateLimiter({
      freeFailures: 10,
      baseDelayMs: 1000,
      maxDelayMs: 8000,
      perAddress: 4,
      windowMs: 60_000,
    });
    for (const email of ['a', 'b', 'c', 'd']) limiter.recordAttempt({ email, address: '1.2.3.4' });
    expect(limiter.retryAfterSeconds({ email: 'e', address: '1.2.3.4' })).toBe(60);
    expect(limiter.retryAfterSeconds({ email: 'e', address: '5.6.7.8' })).toBe(0);
    for (let i = 0; i < 10; i++) {
      const attempt = { email: `user${i}`, address: '7.7.7.7' };
      limiter.recordAttempt(attempt);
      limiter.recordSuccess(attempt);
    }
    expect(limiter.retryAfterSeconds({ email: 'new', address: '7.7.7.7' })).toBe(0);
  });
});

describe('POST /auth/v1/token?grant_type=refresh_token', () => {
  it('rotates the refresh token on every use', async () => {
    const { email } = await newUser();
    const first = (await signIn(email)).body as Session;
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const s2 = second.body as Session;
    expect(s2.refresh_token).not.toBe(first.refresh_token);
    expect(claims(s2.access_token).session_id).toBe(claims(first.access_token).session_id);
    const third = await refresh(s2.refresh_token);
    expect(third.status).toBe(200);
    expect(await profileStatus((third.body as Session).access_token)).toBe(404);
  });

  // Past the reuse interval (SUPAPLANE_REFRESH_TOKEN_REUSE_INTERVAL_S, 10 s): within it,
  // parallel refreshes are allowed (audit 18.8), see the next test.
  it('revokes the whole session when a rotated token is presented again after the reuse interval', async () => {
    const { email } = await newUser();
    const first = (await signIn(email)).body as Session;
    const second = (await refresh(first.refresh_token)).body as Session;
    await ageRotation(first.refresh_token, 11_000);
    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body).toMatchObject({ error_code: 'refresh_token_already_used' });
    // The legitimate holder's newer tokens die with the session.
    expect((await refresh(second.refresh_token)).status).toBe(400);
    expect(await profileStatus(second.access_token)).toBe(401);
  });

  it('lets parallel refreshes of one token all succeed within the reuse interval, as GoTrue does', async () => {
    const { email } = await newUser();
    const first = (await signIn(email)).body as Session;
    const parallel = await Promise.all(
      Array.from({ length: 5 }, () => refresh(first.refresh_token)),
    );
    expect(parallel.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // Every winner's tokens work: the session was not revoked by the race.
    for (const r of parallel) {
      expect(await profileStatus((r.body as Session).access_token)).not.toBe(401);
    }
    expect((await refresh((parallel[4]!.body as Session).refresh_token)).status).toBe(200);
  });

  it('ends a session at its absolute lifetime however often it was refreshed', async () => {
    const { email } = await newUser();
    const first = (await signIn(email)).body as Session;
    const sessionId = claims(first.access_token).session_id as string;
    await h.db.db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 169 * 3600_000) })
      .where(eq(sessions.id, sessionId));
    const late = await refresh(first.refresh_token);
    expect(late).toMatchObject({ status: 400, body: { error_code: 'refresh_token_not_found' } });
    expect((late.body as { message: string }).message).toMatch(/Session Expired/);
  });

  it('rejects an unknown refresh token', async () => {
    const res = await refresh(randomBytes(32).toString('base64url'));
    expect(res).toMatchObject({ status: 400, body: { error_code: 'refresh_token_not_found' } });
  });
});

describe('GET and PUT /auth/v1/user', () => {
  it('returns the user, and 401 without or with a bad token', async () => {
    const { email, user } = await newUser();
    const s = (await signIn(email)).body as Session;
    const res = await auth('GET', '/user', { token: s.access_token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email, aud: 'authenticated', factors: [] });
    expect(await auth('GET', '/user')).toMatchObject({
      status: 401,
      body: { error_code: 'no_authorization' },
    });
    expect(await auth('GET', '/user', { token: 'not.a.jwt' })).toMatchObject({
      status: 401,
      body: { error_code: 'bad_jwt' },
    });
  });

  it('changes the password and ends the other sessions, keeping this one', async () => {
    const { email } = await newUser();
    const here = (await signIn(email)).body as Session;
    const elsewhere = (await signIn(email)).body as Session;
    const weak = await auth('PUT', '/user', {
      token: here.access_token,
      body: { password: 'short' },
    });
    expect(weak).toMatchObject({ status: 422, body: { error_code: 'weak_password' } });
    const same = await auth('PUT', '/user', {
      token: here.access_token,
      body: { password: PASSWORD },
    });
    expect(same).toMatchObject({ status: 422, body: { error_code: 'same_password' } });

    const changed = await auth('PUT', '/user', {
      token: here.access_token,
      body: { password: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(200);
    expect(await profileStatus(here.access_token)).toBe(404);
    expect(await profileStatus(elsewhere.access_token)).toBe(401);
    expect((await signIn(email)).status).toBe(400);
    expect((await signIn(email, 'a brand new passphrase')).status).toBe(200);
  });

  it('changes the email, refusing one that is taken', async () => {
    const { email } = await newUser();
    const other = await newUser();
    const s = (await signIn(email)).body as Session;
    const taken = await auth('PUT', '/user', {
      token: s.access_token,
      body: { email: other.email },
    });
    expect(taken).toMatchObject({ status: 422, body: { error_code: 'email_exists' } });
    const fresh = newEmail();
    const res = await auth('PUT', '/user', { token: s.access_token, body: { email: fresh } });
    expect(res).toMatchObject({ status: 200, body: { email: fresh } });
    expect((await signIn(fresh)).status).toBe(200);
  });
});

describe('POST /auth/v1/logout', () => {
  it('ends every session of the user by default (auth-js sends scope=global)', async () => {
    const { email } = await newUser();
    const a = (await signIn(email)).body as Session;
    const b = (await signIn(email)).body as Session;
    const res = await auth('POST', '/logout?scope=global', { token: a.access_token });
    expect(res.status).toBe(204);
    expect(await profileStatus(a.access_token)).toBe(401);
    expect(await profileStatus(b.access_token)).toBe(401);
    expect((await refresh(a.refresh_token)).status).toBe(400);
    // Signing out again with the dead token is a 401, which auth-js treats as signed out.
    expect((await auth('POST', '/logout', { token: a.access_token })).status).toBe(401);
  });

  it('ends only the current session with scope=local', async () => {
    const { email } = await newUser();
    const a = (await signIn(email)).body as Session;
    const b = (await signIn(email)).body as Session;
    expect((await auth('POST', '/logout?scope=local', { token: a.access_token })).status).toBe(204);
    expect(await profileStatus(a.access_token)).toBe(401);
    expect(await profileStatus(b.access_token)).toBe(404);
    expect((await refresh(b.refresh_token)).status).toBe(200);
  });
});

describe('feature probes', () => {
  it('serves /health and /settings without an apikey', async () => {
    expect(await auth('GET', '/health')).toMatchObject({ status: 200, body: { name: 'GoTrue' } });
    expect(await auth('GET', '/settings')).toMatchObject({
      status: 200,
      body: { external: { email: true }, disable_signup: true },
    });
  });
});
