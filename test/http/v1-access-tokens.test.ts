import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokens, auditLog } from '../../src/db/schema/index.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { addMember } from '../../src/identity/users.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ startRunner: false });
});
afterAll(() => h?.close());

const PATH = '/platform/profile/access-tokens';

async function newToken(as: Awaited<ReturnType<ApiHarness['signIn']>>, body: object = {}) {
  const res = await h.call('POST', PATH, { as, body: { name: 'ci', ...body } });
  expect(res.status).toBe(201);
  return res.body as { id: number; token: string; token_alias: string; name: string };
}

describe('personal access tokens (Studio account page)', () => {
  it('creates a token shown once, lists it without the token, and stores only a hash', async () => {
    const user = await h.signIn('owner');
    const created = await newToken(user, { scope: 'V0' });
    expect(created.token).toMatch(/^sbp_[0-9a-f]{40}$/);
    expect(created.token_alias.startsWith(created.token.slice(0, 9))).toBe(true);

    const list = await h.call('GET', PATH, { as: user });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: created.id, name: 'ci', expires_at: null, last_used_at: null }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(created.token);

    const rows = await h.db.db.select().from(accessTokens);
    const audit = await h.db.db.select().from(auditLog);
    expect(JSON.stringify([rows, audit])).not.toContain(created.token.slice(4));
    expect(h.logLines.join('\n')).not.toContain(created.token.slice(4));
  });

  it('authenticates /v1 with a PAT and records last use', async () => {
    const user = await h.signIn('developer');
    const { token, id } = await newToken(user);
    const res = await h.call('GET', '/v1/organizations', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: h.org.slug, slug: h.org.slug, name: h.org.name }]);
    const [row] = await h.db.db.select().from(accessTokens).where(eq(accessTokens.id, id));
    expect(row?.lastUsedAt).toBeInstanceOf(Date);
    // A token cannot mint more tokens (a leaked one would survive its revocation).
    const minted = await h.call('POST', PATH, { token, body: { name: 'child' } });
    expect(minted.status).toBe(403);
    expect((await h.call('GET', PATH, { token })).status).toBe(200);
  });

  it('refuses revoked, expired and malformed tokens, and other users cannot revoke', async () => {
    const user = await h.signIn('owner');
    const other = await h.signIn('owner');
    const { token, id } = await newToken(user);

    expect((await h.call('DELETE', `${PATH}/${id}`, { as: other })).status).toBe(404);
    expect((await h.call('GET', '/v1/organizations', { token })).status).toBe(200);
    const revoked = await h.call('DELETE', `${PATH}/${id}`, { as: user });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id, name: 'ci' });
    const after = await h.call('GET', '/v1/organizations', { token });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ message: expect.any(String) });

    const expiring = await newToken(user, {
      expires_at: new Date(Date.now() + 60_000).toISOString(),
    });
    await h.db.db
      .update(accessTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(accessTokens.id, expiring.id));
    const expired = await h.call('GET', '/v1/organizations', { token: expiring.token });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ message: 'Access token has expired' });

    for (const bad of [
      'sbp_123',
      `sbp_${'A'.repeat(40)}`,
      'not-a-token',
      `sbp_${'0'.repeat(40)}`,
    ]) {
      expect((await h.call('GET', '/v1/organizations', { token: bad })).status).toBe(401);
    }
    expect((await h.call('GET', '/v1/organizations')).status).toBe(401);
  });

  it('scopes a PAT to its user: another organization is not visible', async () => {
    const otherOrg = await createOrganization(h.deps, { name: `Other ${Date.now()}` });
    const outsider = await h.signIn('owner', otherOrg.id);
    const { token } = await newToken(outsider);
    const res = await h.call('GET', `/v1/organizations/${h.org.slug}`, { token });
    expect(res.status).toBe(404);
    const mine = await h.call('GET', `/v1/organizations/${otherOrg.slug}`, { token });
    expect(mine.status).toBe(200);
    await addMember(h.deps, {
      organizationId: h.org.id,
      userId: outsider.user.id,
      role: 'read_only',
    });
    expect((await h.call('GET', `/v1/organizations/${h.org.slug}`, { token })).status).toBe(200);
  });

  it('validates the body', async () => {
    const user = await h.signIn('owner');
    for (const body of [
      {},
      { name: '' },
      { name: 'x', expires_at: 'tomorrow' },
      { name: 'x', scope: 'V9' },
    ]) {
      const res = await h.call('POST', PATH, { as: user, body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ message: expect.any(String) });
    }
    const past = await h.call('POST', PATH, {
      as: user,
      body: { name: 'x', expires_at: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(400);
  });
});
