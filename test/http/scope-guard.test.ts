import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformScope } from '../../src/http/middleware/scope-guard.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';

describe('platformScope: the scope a /platform path names, as Hono gives :ref and :slug', () => {
  it.each([
    ['projects/abcdefghijabcdefghij', { ref: 'abcdefghijabcdefghij' }],
    ['projects/abcdefghijabcdefghij/settings', { ref: 'abcdefghijabcdefghij' }],
    ['projects/available-regions', { ref: 'available-regions' }],
    ['projects', {}],
    ['projects/', {}],
    ['pg-meta/%61bcdefghijabcdefghij/query', { ref: 'abcdefghijabcdefghij' }],
    ['props/project/abcdefghijabcdefghij/api', { ref: 'abcdefghijabcdefghij' }],
    ['props/org/acme', {}],
    ['storage/abcdefghijabcdefghij/buckets', { ref: 'abcdefghijabcdefghij' }],
    ['organizations/acme/members', { slug: 'acme' }],
    ['organizations/%E0%A4%A', { slug: '%E0%A4%A' }],
    ['profile', {}],
    ['', {}],
  ])('%s', (rest, scope) => expect(platformScope(rest)).toEqual(scope));
});

// Under a base path, as behind a reverse proxy that serves Supaplane at /api.
describe('scope checks under SUPAPLANE_BASE_PATH', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({ env: { SUPAPLANE_BASE_PATH: '/api' } });
  });
  afterAll(() => h?.close());

  it('hide a project from outsiders and refuse a read-only member’s write before parsing it', async () => {
    const owner = await h.signIn('owner');
    const created = await h.call('POST', '/api/platform/projects', {
      as: owner,
      body: { name: 'Based', organization_slug: h.org.slug },
    });
    expect(created.status).toBe(201);
    const ref = (created.body as { ref: string }).ref;
    const other = await createOrganization(h.deps, { name: `B ${randomBytes(3).toString('hex')}` });
    const outsider = await h.signIn('owner', other.id);
    for (const path of [`/api/platform/projects/${ref}`, `/api/platform/pg-meta/${ref}/tables`]) {
      expect((await h.call('GET', path, { as: outsider })).status, path).toBe(404);
    }
    const orgPath = `/api/platform/organizations/${h.org.slug}/projects`;
    expect((await h.call('GET', orgPath, { as: outsider })).status).toBe(404);
    expect((await h.call('GET', orgPath, { as: owner })).status).toBe(200);
    const reader = await h.signIn('read_only');
    // A body no route would accept: the guard answers first.
    const write = await h.call('PATCH', `/api/platform/projects/${ref}`, {
      as: reader,
      body: { name: 42 },
    });
    expect(write.status).toBe(403);
    expect((await h.call('GET', `/api/platform/projects/${ref}`, { as: reader })).status).toBe(200);
  });
});
