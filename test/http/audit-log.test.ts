import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema/index.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { expectStudioShape } from '../support/studio-shapes.js';

/**
 * The audit rows every change writes, served where Studio's audit page reads them
 * (GET /platform/organizations/{slug}/audit), and to a personal access token as on
 * Supabase's Platform API: newest first, in pages, only the organization's own.
 */
let h: ApiHarness;
let owner: SignedInUser;
const base = Date.now() - 60_000;

beforeAll(async () => {
  h = await startApiHarness();
  owner = await h.signIn('owner');
  await h.db.db.insert(auditLog).values(
    Array.from({ length: 5 }, (_, i) => ({
      actor: owner.user.id,
      action: `test.step${i}`,
      organizationId: h.org.id,
      createdAt: new Date(base + i * 1000),
    })),
  );
  const other = await createOrganization(h.deps, { name: 'Elsewhere audit' });
  await h.db.db
    .insert(auditLog)
    .values({ actor: 'system', action: 'other.org', organizationId: other.id });
});
afterAll(() => h?.close());

const audit = (query = '', as: SignedInUser | undefined = owner, token?: string) =>
  h.call('GET', `/platform/organizations/${h.org.slug}/audit${query}`, { as, token });

describe('organization audit log', () => {
  it('newest first, in Studio’s shape, with the actor’s email', async () => {
    const res = await audit();
    expect(res.status).toBe(200);
    expectStudioShape('auditLogs', res.body);
    const rows = (
      res.body as {
        result: { action: { name: string }; actor: { metadata: { email?: string }[] } }[];
      }
    ).result;
    const steps = rows.map((r) => r.action.name).filter((n) => n.startsWith('test.'));
    expect(steps).toEqual(['test.step4', 'test.step3', 'test.step2', 'test.step1', 'test.step0']);
    expect(rows.map((r) => r.action.name)).not.toContain('other.org');
    expect(rows.find((r) => r.action.name === 'test.step0')?.actor.metadata[0]?.email).toBe(
      owner.user.email,
    );
  });

  it('pages with limit/offset and filters by time; the total is in X-Total-Count', async () => {
    const first = await audit('?limit=2&offset=0');
    const second = await audit('?limit=2&offset=2');
    const names = (b: unknown) =>
      (b as { result: { action: { name: string } }[] }).result.map((r) => r.action.name);
    const total = Number(first.headers.get('x-total-count'));
    expect(total).toBeGreaterThanOrEqual(5);
    expect(names(first.body)).toHaveLength(2);
    expect(names(second.body)[0]).not.toBe(names(first.body)[0]);
    const since = new Date(base + 2_500).toISOString();
    const recent = names((await audit(`?iso_timestamp_start=${encodeURIComponent(since)}`)).body);
    expect(recent.filter((n) => n.startsWith('test.'))).toEqual(['test.step4', 'test.step3']);
    expect((await audit('?limit=0')).status).toBe(400);
    expect((await audit('?iso_timestamp_end=yesterday')).status).toBe(400);
  });

  it('a personal access token reads it too; outsiders get 404', async () => {
    const pat = await h.call('POST', '/platform/profile/access-tokens', {
      as: owner,
      body: { name: 'audit' },
    });
    const token = (pat.body as { token: string }).token;
    expect((await audit('', undefined, token)).status).toBe(200);
    const outsider = await h.signIn(
      'owner',
      (await createOrganization(h.deps, { name: 'Outsiders' })).id,
    );
    expect((await audit('', outsider)).status).toBe(404);
  });
});
