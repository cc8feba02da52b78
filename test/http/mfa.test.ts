import { AuthClient } from '@supabase/auth-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mfaFactors } from '../../src/db/schema/index.js';
import { hotp, totp, TOTP_PERIOD_S } from '../../src/mfa/totp.js';
import { createUser } from '../../src/identity/users.js';
import { startApiHarness, STUDIO_ORIGIN, type ApiHarness } from '../support/api.js';

/**
 * Dashboard MFA with the client Studio uses (auth-js `mfa.*`), as GoTrue behaves
 * (supabase/auth internal/api/mfa.go@0139bdf7): enroll → challenge → verify raises the
 * session to aal2; later sign-ins are aal1 and every API but sign-in completion refuses
 * them until a code is verified.
 */
let h: ApiHarness;
const email = 'mfa-user@example.com';
const password = 'a long enough password';

const client = () =>
  new AuthClient({
    url: 'http://supaplane.test/auth/v1',
    fetch: (input, init) => {
      const req = new Request(input, init);
      req.headers.set('Origin', STUDIO_ORIGIN);
      return Promise.resolve(h.app.fetch(req));
    },
    autoRefreshToken: false,
    persistSession: false,
  });

/** The code `steps` time steps from now (the skew accepts -1, 0 and +1). */
const codeAt = (secret: string, steps: number) =>
  totp(secret, Date.now() + steps * TOTP_PERIOD_S * 1000);

beforeAll(async () => {
  h = await startApiHarness();
  await createUser(h.deps, { email, password });
});
afterAll(() => h?.close());

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 Appendix B SHA-1 vectors', () => {
    const secret = Buffer.from('12345678901234567890');
    for (const [t, code] of [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ] as const) {
      expect(hotp(secret, Math.floor(t / 30), 8)).toBe(code);
    }
  });
});

describe('dashboard MFA through auth-js', () => {
  let secret = '';
  let factorId = '';
  const aal2Tokens: string[] = [];
  let usedCode = '';

  it('enrolls, verifies and becomes aal2', async () => {
    const auth = client();
    expect((await auth.signInWithPassword({ email, password })).error).toBeNull();
    const enrolled = await auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone' });
    expect(enrolled.error).toBeNull();
    secret = enrolled.data!.totp.secret;
    factorId = enrolled.data!.id;
    expect(enrolled.data!.totp.uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    // GoTrue sends bare SVG and auth-js makes it a data URL Studio can show as <img>.
    expect(enrolled.data!.totp.qr_code).toMatch(
      /^data:image\/svg\+xml;utf-8,<svg[^>]*>[\s\S]*<path/,
    );
    // The secret is stored as an envelope only.
    expect(JSON.stringify(await h.db.db.select().from(mfaFactors))).not.toContain(secret);

    const wrong = await auth.mfa.challengeAndVerify({ factorId, code: '000000' });
    expect(wrong.error?.status).toBe(422);
    // The previous step: later tests use later ones (each step is accepted once).
    const ok = await auth.mfa.challengeAndVerify({ factorId, code: codeAt(secret, -1) });
    expect(ok.error).toBeNull();
    const aal = await auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    const token = (await auth.getSession()).data.session!.access_token;
    const profile = await h.call('GET', '/platform/organizations', { token });
    expect(profile.status).toBe(200);
  });

  it('a new sign-in is aal1 and refused by the API until it verifies', async () => {
    const auth = client();
    const signIn = await auth.signInWithPassword({ email, password });
    expect(signIn.error).toBeNull();
    const aal = await auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });
    const aal1Token = signIn.data.session!.access_token;
    for (const path of ['/platform/organizations', '/platform/profile', '/v1/projects']) {
      const res = await h.call('GET', path, { token: aal1Token });
      expect(res.status, path).toBe(403);
      expect((res.body as { message: string }).message).toMatch(/AAL2/);
    }
    // Changing the password needs aal2 too; reading the user does not.
    expect((await auth.updateUser({ password: 'another long password' })).error?.status).toBe(403);
    expect((await auth.getUser()).error).toBeNull();
    // Unenrolling a verified factor needs aal2.
    expect((await auth.mfa.unenroll({ factorId })).error).not.toBeNull();

    usedCode = codeAt(secret, 0);
    const verified = await auth.mfa.challengeAndVerify({ factorId, code: usedCode });
    expect(verified.error).toBeNull();
    const aal2Token = (await auth.getSession()).data.session!.access_token;
    aal2Tokens.push(aal2Token);
    expect((await h.call('GET', '/platform/organizations', { token: aal2Token })).status).toBe(200);
    // The old aal1 token stays refused.
    expect((await h.call('GET', '/platform/organizations', { token: aal1Token })).status).toBe(403);
  });

  it('refuses a code used before (replay), and unenrolls at aal2', async () => {
    const other = client();
    await other.signInWithPassword({ email, password });
    const replay = await other.mfa.challengeAndVerify({ factorId, code: usedCode });
    expect(replay.error?.status).toBe(422);
    expect(replay.error?.message).toMatch(/Invalid TOTP code/);

    // The aal2 session from the last verify may unenroll.
    const auth = client();
    await auth.signInWithPassword({ email, password });
    const signedIn = (await auth.getSession()).data.session!;
    expect(
      (await h.call('GET', '/platform/organizations', { token: signedIn.access_token })).status,
    ).toBe(403);
    const aal2 = aal2Tokens.at(-1)!;
    const res = await h.call('DELETE', `/auth/v1/factors/${factorId}`, { token: aal2 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // No verified factor left: an aal1 sign-in is enough again.
    const fresh = client();
    const again = await fresh.signInWithPassword({ email, password });
    expect(
      (await h.call('GET', '/platform/organizations', { token: again.data.session!.access_token }))
        .status,
    ).toBe(200);
  });
});
