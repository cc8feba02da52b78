import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema/index.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';

let h: ApiHarness;
let alice: SignedInUser;
let bob: SignedInUser;
let reader: SignedInUser;
let ref: string;
let profileIds: Map<string, number>;

const fakeRef = () => Array.from({ length: 20 }, () => 'abcdefghij'[randomInt(10)]).join('');

/** A project row: snippets only need the project to exist, not to run. */
async function projectRow(organizationId: number): Promise<string> {
  const [p] = await h.db.db
    .insert(projects)
    .values({
      ref: fakeRef(),
      name: 'Snippets',
      organizationId,
      status: 'ACTIVE_HEALTHY',
      serverUuid: h.deps.config.COOLIFY_SERVER_UUIDS[0]!,
      templateVersion: 'v1',
    })
    .returning();
  return p!.ref;
}

beforeAll(async () => {
  h = await startApiHarness();
  [alice, bob, reader] = [
    await h.signIn('developer'),
    await h.signIn('developer'),
    await h.signIn('read_only'),
  ];
  profileIds = new Map();
  for (const u of [alice, bob, reader]) {
    const res = await h.call('POST', '/platform/profile', { as: u, body: {} });
    profileIds.set(u.user.id, (res.body as { id: number }).id);
  }
  ref = await projectRow(h.org.id);
});
afterAll(async () => {
  await h?.close();
});

const base = () => `/platform/projects/${ref}/content`;
const v2 = (as: SignedInUser) => ({ as, headers: { Version: '2' } });
const snippet = (name: string, extra: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  name,
  type: 'sql',
  visibility: 'user',
  owner_id: 1,
  project_id: 1,
  content: { sql: `select '${name}'`, content_id: 'x', schema_version: '1.0' },
  ...extra,
});
const save = (as: SignedInUser, body: unknown) => h.call('PUT', base(), { ...v2(as), body });
type Item = { id: string; name: string; owner_id: number; favorite: boolean; visibility: string };
const list = async (as: SignedInUser, query = 'type=sql') => {
  const res = await h.call('GET', `${base()}?${query}`, { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: Item[]; cursor?: string };
};

describe('SQL snippets', () => {
  it('saves, reads back, updates and deletes a snippet', async () => {
    const s = snippet('First query');
    const saved = await save(alice, s);
    expect(saved.status).toBe(200);
    const item = await h.call('GET', `${base()}/item/${s.id}`, { as: alice });
    expect(item.body).toMatchObject({
      id: s.id,
      name: 'First query',
      type: 'sql',
      visibility: 'user',
      favorite: false,
      folder_id: null,
      content: s.content,
      owner_id: profileIds.get(alice.user.id),
      owner: { id: profileIds.get(alice.user.id), username: expect.any(String) },
      updated_by: { id: profileIds.get(alice.user.id) },
      inserted_at: expect.any(String),
      updated_at: expect.any(String),
    });

    const updated = await save(alice, {
      ...s,
      name: 'Renamed',
      favorite: true,
      content: { sql: 'select 2' },
    });
    expect(updated.body).toMatchObject({
      name: 'Renamed',
      favorite: true,
      content: { sql: 'select 2' },
    });
    const favorites = await list(alice, 'type=sql&favorite=true');
    expect(favorites.data.map((i) => i.id)).toContain(s.id);

    const patched = await h.call('PATCH', `${base()}?id=${s.id}`, {
      as: alice,
      body: { id: s.id, type: 'sql', content: { sql: 'select 3' } },
    });
    expect(patched.body).toMatchObject({ name: 'Renamed', content: { sql: 'select 3' } });

    const other = snippet('Second');
    await save(alice, other);
    const deleted = await h.call('DELETE', `${base()}?ids=${s.id},${other.id}`, v2(alice));
    expect(deleted.status).toBe(200);
    expect((deleted.body as { id: string }[]).map((d) => d.id).sort()).toEqual(
      [s.id, other.id].sort(),
    );
    expect((await h.call('GET', `${base()}/item/${s.id}`, { as: alice })).status).toBe(404);
    const again = await h.call('DELETE', `${base()}?ids=${s.id}&ids=${other.id}`, v2(alice));
    expect(again.body).toEqual([]);
  });

  it('pages with a cursor, by name and by creation', async () => {
    const me = await h.signIn('developer');
    const names = ['e', 'b', 'd', 'a', 'c'];
    for (const name of names) await save(me, snippet(`page ${name}`));
    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(
          me,
          `type=sql&limit=2&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.data.length).toBeLessThanOrEqual(2);
        seen.push(...page.data.map((i) => i.name.slice(5)));
        cursor = page.cursor;
      } while (cursor);
      return seen;
    };
    expect(await walk('sort_by=name&sort_order=asc')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await walk('sort_by=name&sort_order=desc')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await walk('sort_by=inserted_at&sort_order=desc')).toEqual(['c', 'a', 'd', 'b', 'e']);
    expect(await walk('sort_by=inserted_at&sort_order=asc')).toEqual(names);
    const search = await list(me, 'type=sql&name=page%20d');
    expect(search.data.map((i) => i.name)).toEqual(['page d']);
    for (const bad of ['cursor=nope', 'limit=0', 'sort_by=size', 'type=html', 'favorite=maybe']) {
      const res = await h.call('GET', `${base()}?${bad}`, { as: me });
      expect(res.status, bad).toBe(400);
      expect((res.body as { message: string }).message).toBeTruthy();
    }
  });

  it('keeps private snippets to their owner and shared ones read-only for others', async () => {
    const mine = snippet('Alice private');
    const shared = snippet('Alice shared', { visibility: 'project' });
    await save(alice, mine);
    await save(alice, shared);

    const bobSees = await list(bob);
    expect(bobSees.data.map((i) => i.id)).not.toContain(mine.id);
    expect(bobSees.data.map((i) => i.id)).toContain(shared.id);
    expect((await list(bob, 'type=sql&visibility=user')).data.map((i) => i.id)).not.toContain(
      shared.id,
    );
    expect((await list(bob, 'type=sql&visibility=project')).data.map((i) => i.id)).toContain(
      shared.id,
    );
    expect((await h.call('GET', `${base()}/item/${mine.id}`, { as: bob })).status).toBe(404);

    const hijack = await save(bob, { ...shared, name: 'Bob was here' });
    expect(hijack.status).toBe(403);
    expect((await save(bob, { ...mine, name: 'Bob was here' })).status).toBe(404);
    expect((await h.call('DELETE', `${base()}?ids=${shared.id}`, v2(bob))).status).toBe(403);
    const intact = await h.call('GET', `${base()}/item/${shared.id}`, { as: alice });
    expect((intact.body as Item).name).toBe('Alice shared');

    const count = await h.call('GET', `${base()}/count?type=sql`, { as: bob });
    expect(count.body).toMatchObject({
      count: expect.any(Number),
      favorites: expect.any(Number),
      private: expect.any(Number),
      shared: expect.any(Number),
    });
  });

  it('lets read-only members read but not save', async () => {
    expect((await list(reader)).data).toBeDefined();
    const res = await save(reader, snippet('Nope'));
    expect(res.status).toBe(403);
    const folder = await h.call('POST', `${base()}/folders`, { as: reader, body: { name: 'x' } });
    expect(folder.status).toBe(403);
  });

  it('rejects malformed snippets with 400', async () => {
    const bad = [
      { ...snippet('x'), id: 'not-a-uuid' },
      { ...snippet('x'), name: '' },
      { ...snippet('x'), type: 'html' },
      { ...snippet('x'), visibility: 'everyone' },
      { ...snippet('x'), content: 'select 1' },
      { ...snippet('x'), folder_id: randomUUID() },
    ];
    for (const body of bad) {
      const res = await save(alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((res.body as { message: string }).message).toBeTruthy();
    }
    const notJson = await h.call('PUT', base(), {
      ...v2(alice),
      body: '{"id":',
      headers: { Version: '2', 'Content-Type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect((await h.call('DELETE', `${base()}?ids=1,2`, v2(alice))).status).toBe(400);
  });
});

describe('snippet folders', () => {
  it('creates, fills, lists, renames and deletes folders, privately', async () => {
    const created = await h.call('POST', `${base()}/folders`, {
      as: alice,
      body: { name: 'Reports' },
    });
    expect(created.status).toBe(201);
    const folder = created.body as { id: string; owner_id: number; parent_id: null };
    expect(folder).toMatchObject({ name: 'Reports', parent_id: null });
    const child = await h.call('POST', `${base()}/folders`, {
      as: alice,
      body: { name: 'Monthly', parentId: folder.id },
    });
    const childId = (child.body as { id: string }).id;

    const inside = snippet('In folder', { folder_id: folder.id });
    const outside = snippet('At root');
    await save(alice, inside);
    await save(alice, outside);

    const root = await h.call('GET', `${base()}/folders?type=sql&visibility=user`, { as: alice });
    const rootBody = root.body as { data: { folders: { id: string }[]; contents: Item[] } };
    expect(rootBody.data.folders.map((f) => f.id)).toEqual([folder.id]);
    expect(rootBody.data.contents.map((i) => i.id)).toContain(outside.id);
    expect(rootBody.data.contents.map((i) => i.id)).not.toContain(inside.id);
    expect(rootBody.data.contents[0]).not.toHaveProperty('content');

    const opened = await h.call('GET', `${base()}/folders/${folder.id}`, { as: alice });
    expect(opened.body).toMatchObject({
      data: { folders: [{ id: childId, parent_id: folder.id }], contents: [{ id: inside.id }] },
    });

    const renamed = await h.call('PATCH', `${base()}/folders/${folder.id}`, {
      as: alice,
      body: { name: 'Reporting' },
    });
    expect(renamed.body).toMatchObject({ id: folder.id, name: 'Reporting' });
    const cycle = await h.call('PATCH', `${base()}/folders/${folder.id}`, {
      as: alice,
      body: { name: 'Reporting', parentId: childId },
    });
    expect(cycle.status).toBe(400);

    expect((await h.call('GET', `${base()}/folders/${folder.id}`, { as: bob })).status).toBe(404);
    expect(
      (await save(bob, snippet('Bob into Alice folder', { folder_id: folder.id }))).status,
    ).toBe(400);
    const bobRoot = await h.call('GET', `${base()}/folders`, { as: bob });
    expect(
      (bobRoot.body as { data: { folders: { id: string }[] } }).data.folders.map((f) => f.id),
    ).not.toContain(folder.id);

    const removed = await h.call('DELETE', `${base()}/folders?ids=${folder.id}`, { as: alice });
    expect(removed.status).toBe(200);
    expect((removed.body as { id: string }[]).map((f) => f.id).sort()).toEqual(
      [folder.id, childId].sort(),
    );
    expect((await h.call('GET', `${base()}/item/${inside.id}`, { as: alice })).status).toBe(404);
    expect((await h.call('GET', `${base()}/item/${outside.id}`, { as: alice })).status).toBe(200);
  });
});

describe('access', () => {
  it('needs a token, and hides other organizations’ projects', async () => {
    for (const [method, path] of [
      ['GET', base()],
      ['PUT', base()],
      ['DELETE', `${base()}?ids=${randomUUID()}`],
      ['GET', `${base()}/count`],
      ['GET', `${base()}/folders`],
      ['POST', `${base()}/folders`],
    ] as const) {
      expect((await h.call(method, path, { body: method === 'GET' ? undefined : {} })).status).toBe(
        401,
      );
    }
    const other = await createOrganization(h.deps, { name: 'Other snippets' });
    const otherRef = await projectRow(other.id);
    const res = await h.call('GET', `/platform/projects/${otherRef}/content?type=sql`, {
      as: alice,
    });
    expect(res.status).toBe(404);
    const put = await h.call('PUT', `/platform/projects/${otherRef}/content`, {
      ...v2(alice),
      body: snippet('Sneaky'),
    });
    expect(put.status).toBe(404);
  });
});
