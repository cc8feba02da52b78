import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, projects } from '../../src/db/schema/index.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { waitFor } from '../support/harness.js';
import { newProjectRef } from '../../src/projects/refs.js';

// Studio's hot reads come from a per-process cache; these check that it never
// hides a write, whether this process made it or another one did.
let h: ApiHarness;
let owner: SignedInUser;
let ref: string;

const listPath = () => `/platform/organizations/${h.org.slug}/projects?limit=96`;
const names = async (as: SignedInUser) => {
  const res = await h.call('GET', listPath(), { as });
  expect(res.status).toBe(200);
  return (res.body as { projects: { name: string }[] }).projects.map((p) => p.name);
};

beforeAll(async () => {
  h = await startApiHarness({ readCache: true });
  owner = await h.signIn('owner');
  ref = newProjectRef();
  await h.db.db.insert(projects).values({
    ref,
    name: 'Before',
    organizationId: h.org.id,
    status: 'ACTIVE_HEALTHY',
    serverUuid: h.deps.config.COOLIFY_SERVER_UUIDS[0]!,
    templateVersion: 'v1',
  });
});
afterAll(() => h?.close());

describe('the read cache', () => {
  it('serves repeated reads from memory', async () => {
    h.deps.readCache!.clear();
    expect(await names(owner)).toEqual(['Before']);
    expect((await h.call('GET', `/platform/projects/${ref}`, { as: owner })).status).toBe(200);
    expect(h.deps.readCache!.size).toBeGreaterThan(0);
  });

  it('keeps pages and status filters of one organization apart', async () => {
    const page = async (query: string) => {
      const res = await h.call('GET', `/platform/organizations/${h.org.slug}/projects?${query}`, {
        as: owner,
      });
      expect(res.status).toBe(200);
      return (res.body as { projects: { ref: string }[] }).projects.map((p) => p.ref);
    };
    // Twice each: the second answer comes from the cache, under its own key.
    for (let i = 0; i < 2; i++) {
      expect(await page('limit=96')).toEqual([ref]);
      expect(await page('limit=96&statuses=ACTIVE_HEALTHY')).toEqual([ref]);
      expect(await page('limit=96&statuses=INACTIVE')).toEqual([]);
      expect(await page('limit=96&statuses=INACTIVE,ACTIVE_HEALTHY')).toEqual([ref]);
      expect(await page('limit=96&offset=1')).toEqual([]);
      expect(await page('limit=96&sort=created_desc')).toEqual([ref]);
    }
  });

  it('shows a client its own write in the very next read', async () => {
    await names(owner);
    const renamed = await h.call('PATCH', `/platform/projects/${ref}`, {
      as: owner,
      body: { name: 'Renamed here' },
    });
    expect(renamed.status).toBe(200);
    expect(await names(owner)).toEqual(['Renamed here']);
    const detail = await h.call('GET', `/platform/projects/${ref}`, { as: owner });
    expect((detail.body as { name: string }).name).toBe('Renamed here');
  });

  it('sees a write made by another process (any connection) through Postgres notifications', async () => {
    await names(owner);
    await h.db
      .sql`update projects set name = 'Renamed elsewhere', status = 'INACTIVE' where ref = ${ref}`;
    await waitFor(async () => (await names(owner))[0] === 'Renamed elsewhere', 5_000, 'the rename');
    const status = await h.call('GET', `/platform/projects/${ref}/status`, { as: owner });
    expect(status.body).toEqual({ status: 'INACTIVE' });
  });

  it('stops serving a member removed by another process', async () => {
    const member = await h.signIn('developer');
    expect((await h.call('GET', `/platform/projects/${ref}`, { as: member })).status).toBe(200);
    await h.db.db.delete(memberships).where(eq(memberships.userId, member.user.id));
    await waitFor(
      async () => (await h.call('GET', `/platform/projects/${ref}`, { as: member })).status === 404,
      5_000,
      'the removed member to be refused',
    );
    expect((await h.call('GET', listPath(), { as: member })).status).toBe(404);
  });

  it('keeps listening after its connection is cut', async () => {
    await names(owner);
    await h.db.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and query ilike 'listen %'`;
    await h.db.sql`update projects set name = 'After reconnect' where ref = ${ref}`;
    // The notification may be lost while the connection is down; the re-listen clears the cache.
    await waitFor(async () => (await names(owner))[0] === 'After reconnect', 10_000, 'the rename');
  });
});
