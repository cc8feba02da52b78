import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, sessions } from '../../src/db/schema/index.js';
import { createAccessToken } from '../../src/identity/access-tokens.js';
import { createInvitations } from '../../src/members/invitations.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { createUser } from '../../src/identity/users.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';

/**
 * Security audit findings 18.2 (invitation hijack through an unverified email change)
 * and 18.7 (password and email changes with only an access token; PATs surviving a
 * password change), reproduced as the audit did them.
 */

const PASSWORD = 'correct horse battery'; // what h.signIn gives every user
let h: ApiHarness;
let admin: SignedInUser;
let otherOrgId: number;

beforeAll(async () => {
  h = await startApiHarness();
  admin = await h.signIn('owner');
  otherOrgId = (await createOrganization(h.deps, { name: `B ${randomBytes(3).toString('hex')}` }))
    .id;
});
afterAll(() => h?.close());

const newEmail = (what: string) => `${what}-${randomBytes(4).toString('hex')}@example.com`;

/** A session signed in long ago (over RECENT_LOGIN_MS), as a stolen token's would be. */
async function ageSession(user: SignedInUser): Promise<void> {
  const sessionId = JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString())
    .session_id as string;
  await h.db.db
    .update(sessions)
    .set({ createdAt: new Date(Date.now() - 3600_000) })
    .where(eq(sessions.id, sessionId));
}

const putUser = (as: SignedInUser | string, body: unknown) =>
  h.call('PUT', '/auth/v1/user', typeof as === 'string' ? { token: as, body } : { as, body });

async function signInWith(email: string, password = PASSWORD) {
  const res = await h.call('POST', '/auth/v1/token?grant_type=password', {
    body: { email, password },
  });
  return res as { status: number; body: { access_token: string; message?: string } };
}

async function invite(email: string, role: 'owner' | 'developer' = 'owner') {
  const [created] = await createInvitations(h.deps, {
    actor: { userId: admin.user.id, email: admin.user.email, via: 'session' },
    input: { slug: h.org.slug, emails: [email], role },
  });
  return created!;
}

const joinPath = (token: string) =>
  `/platform/organizations/${h.org.slug}/members/invitations/${token}`;

describe('invitation hijack (audit 18.2)', () => {
  it('refuses an email switch without the current password, and the join after a switch', async () => {
    const invited = newEmail('hosttest');
    const { token, invitation } = await invite(invited);
    const bob = await h.signIn('owner', otherOrgId);
    await ageSession(bob);

    // The audit's first step: PUT /auth/v1/user {"email": invited} with only the token.
    const bare = await putUser(bob, { email: invited });
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ error_code: 'current_password_required' });
    const wrong = await putUser(bob, { email: invited, current_password: 'not it' });
    expect(wrong).toMatchObject({ status: 400, body: { error_code: 'current_password_mismatch' } });

    // Bob knows his own password, so the switch goes through, ending all his sessions...
    const switched = await putUser(bob, { email: invited, current_password: PASSWORD });
    expect(switched.status).toBe(200);
    expect((await h.call('GET', '/platform/profile', { as: bob })).status).toBe(401);
    // ...and even signed in again as the invited address, the invitation is not his.
    const again = await signInWith(invited);
    expect(again.status).toBe(200);
    const token2 = again.body.access_token;
    const check = await h.call('GET', joinPath(token), { token: token2 });
    expect(check.body).toMatchObject({ email_match: false, token_does_not_exist: false });
    const join = await h.call('POST', joinPath(token), { token: token2 });
    expect(join.status).toBe(403);
    expect((join.body as { message: string }).message).toMatch(/sign in with that account/);
    // Nor can he decline it on the invitee's behalf.
    const decline = await h.call(
      'DELETE',
      `/platform/organizations/${h.org.slug}/members/invitations/${invitation.id}`,
      { token: token2 },
    );
    expect(decline.status).toBe(404);
    const projects = await h.call('GET', `/platform/organizations/${h.org.slug}/projects`, {
      token: token2,
    });
    expect(projects.status).toBe(404);
  });

  it('binds an invitation to the account that held the address, and uses a token once', async () => {
    const invitee = await h.signIn('owner', otherOrgId);
    const { token } = await invite(invitee.user.email, 'developer');
    const joined = await h.call('POST', joinPath(token), { as: invitee });
    expect(joined).toMatchObject({ status: 200, body: { role_id: expect.any(Number) } });
    const reused = await h.call('POST', joinPath(token), { as: invitee });
    expect(reused.status).toBe(404);
  });

  it('lets someone whose account was made for the invited address join', async () => {
    const email = newEmail('newcomer');
    const { token } = await invite(email, 'developer');
    await createUser(h.deps, { email, password: PASSWORD });
    const session = await signInWith(email);
    const joined = await h.call('POST', joinPath(token), { token: session.body.access_token });
    expect(joined.status).toBe(200);
  });

  it('expires join tokens after 48 hours', async () => {
    const invitee = await h.signIn('owner', otherOrgId);
    const { token, invitation } = await invite(invitee.user.email, 'developer');
    await h.db.db
      .update(invitations)
      .set({ createdAt: new Date(Date.now() - 49 * 3600_000) })
      .where(eq(invitations.id, invitation.id));
    const late = await h.call('POST', joinPath(token), { as: invitee });
    expect(late.status).toBe(412);
    expect((late.body as { message: string }).message).toMatch(/expired/);
  });
});

describe('password and email changes (audit 18.7)', () => {
  it('needs the current password on an old session; a fresh sign-in is enough on its own', async () => {
    const user = await h.signIn('owner');
    await ageSession(user);
    const bare = await putUser(user, { password: 'a brand new passphrase' });
    expect(bare).toMatchObject({ status: 400, body: { error_code: 'current_password_required' } });
    expect((bare.body as { message: string }).message).toMatch(/current_password/);

    const fresh = await signInWith(user.user.email);
    const changed = await putUser(fresh.body.access_token, { password: 'a brand new passphrase' });
    expect(changed.status).toBe(200);
    expect((await signInWith(user.user.email, 'a brand new passphrase')).status).toBe(200);
  });

  it('revokes personal access tokens on a password change (Studio sends current_password)', async () => {
    const user = await h.signIn('owner');
    await ageSession(user);
    const pat = await createAccessToken(h.deps, {
      actor: { userId: user.user.id, email: user.user.email, via: 'session' },
      input: { name: 'ci' },
    });
    expect((await h.call('GET', '/v1/projects', { token: pat.token })).status).toBe(200);
    const changed = await putUser(user, {
      password: 'another new passphrase',
      current_password: PASSWORD,
    });
    expect(changed.status).toBe(200);
    expect((await h.call('GET', '/v1/projects', { token: pat.token })).status).toBe(401);
    // This session stays; the user is not signed out of the tab they changed it in.
    expect((await h.call('GET', '/auth/v1/user', { as: user })).status).toBe(200);
  });
});
