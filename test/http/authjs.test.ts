import { AuthClient } from '@supabase/auth-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/identity/users.js';
import { startApiHarness, STUDIO_ORIGIN, type ApiHarness } from '../support/api.js';

// The same client Studio uses for dashboard sign-in (packages/common/gotrue.ts),
// talking to Supaplane's /auth/v1 through the app's fetch.
let h: ApiHarness;
let auth: InstanceType<typeof AuthClient>;
const email = 'studio-user@example.com';
const password = 'a long enough password';

beforeAll(async () => {
  h = await startApiHarness();
  await createUser(h.deps, { email, password });
  const fetchViaApp: typeof fetch = (input, init) => {
    const req = new Request(input, init);
    req.headers.set('Origin', STUDIO_ORIGIN);
    return Promise.resolve(h.app.fetch(req));
  };
  auth = new AuthClient({
    url: 'http://supaplane.test/auth/v1',
    fetch: fetchViaApp,
    autoRefreshToken: false,
    persistSession: true,
    storageKey: 'supabase.dashboard.auth.token',
  });
});
afterAll(async () => {
  await h.close();
});

describe('@supabase/auth-js against /auth/v1', () => {
  it('rejects a wrong password with an AuthError', async () => {
    const { data, error } = await auth.signInWithPassword({ email, password: 'wrong password!' });
    expect(data.session).toBeNull();
    expect(error?.status).toBe(400);
    expect(error?.message).toMatch(/invalid login credentials/i);
  });

  it('signs in, reads the user, refreshes, updates and signs out', async () => {
    const signIn = await auth.signInWithPassword({ email, password });
    expect(signIn.error).toBeNull();
    const session = signIn.data.session!;
    expect(session.user.email).toBe(email);
    expect(session.token_type).toBe('bearer');

    const profile = await h.call('GET', '/platform/profile', {
      token: session.access_token,
      headers: { Version: '2' },
    });
    // The user was made without a profile: Studio's bootstrap then creates one.
    expect(profile.status).toBe(404);

    const user = await auth.getUser();
    expect(user.data.user?.id).toBe(session.user.id);
    const aal = await auth.mfa.getAuthenticatorAssuranceLevel();
    expect(aal.data?.currentLevel).toBe('aal1');

    const refreshed = await auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session!.refresh_token).not.toBe(session.refresh_token);

    const updated = await auth.updateUser({ data: { theme: 'dark' } });
    expect(updated.error).toBeNull();

    const token = refreshed.data.session!.access_token;
    expect((await auth.signOut()).error).toBeNull();
    const after = await h.call('GET', '/platform/profile', { token, headers: { Version: '2' } });
    expect(after.status).toBe(401);
  });
});
