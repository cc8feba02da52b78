import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { memberships, profiles, projects, users, type Role } from '../../src/db/schema/index.js';
import { ensureAdmin } from '../../src/identity/bootstrap.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { newProjectRef } from '../../src/projects/refs.js';
import {
  STUDIO_ORIGIN,
  startApiHarness,
  type ApiHarness,
  type SignedInUser,
} from '../support/api.js';
import { expectStudioSchema } from '../support/studio-schemas.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness();
});
afterAll(() => h.close());

/** A fresh organization whose members are signed in with the given roles. */
async function team<R extends Role>(...roles: R[]) {
  const org = await createOrganization(h.deps, { name: `Team ${randomBytes(3).toString('hex')}` });
  const people = {} as Record<R, SignedInUser>;
  for (const role of roles) people[role] = await h.signIn(role, org.id);
  return { org, ...people };
}

const get = (as: SignedInUser, path: string) => h.call('GET', `/platform${path}`, { as });
const send = (method: string, as: SignedInUser, path: string, body: unknown = {}) =>
  h.call(method, `/platform${path}`, { as, body });

describe('profile', () => {
  it('bootstraps as Studio does: 404 "User\'s profile not found", POST, then GET', async () => {
    const me = await h.signIn('developer');
    const missing = await h.call('GET', '/platform/profile', { as: me, headers: { Version: '2' } });
    expect(missing).toMatchObject({ status: 404, body: { message: "User's profile not found" } });

    const created = await send('POST', me, '/profile', {});
    expect(created.status).toBe(201);
    expectStudioSchema('ProfileResponse', created.body);
    expect(created.body).toMatchObject({ gotrue_id: me.user.id, primary_email: me.user.email });
    expect((created.body as { disabled_features: string[] }).disabled_features).toEqual(
      expect.arrayContaining(['billing:all', 'billing:invoices', 'projects:transfer']),
    );
    expect((created.body as { disabled_features: string[] }).disabled_features).not.toContain(
      'organizations:create',
    );

    const again = await h.call('GET', '/platform/profile', { as: me, headers: { Version: '2' } });
    expect(again.status).toBe(200);
    expectStudioSchema('ProfileResponse', again.body);
    expect((await send('POST', me, '/profile', {})).status).toBe(409);

    const patched = await send('PATCH', me, '/profile', { first_name: 'Ada', username: 'ada' });
    expect(patched).toMatchObject({ status: 200, body: { first_name: 'Ada', username: 'ada' } });
  });

  it('answers 401 with a message without a token', async () => {
    const res = await h.call('GET', '/platform/profile');
    expect(res.status).toBe(401);
    expect((res.body as { message: string }).message).toBeTruthy();
  });
});

interface Grant {
  organization_slug: string;
  actions: string[];
  resources: string[];
  condition: unknown;
  restrictive: boolean;
  project_refs: string[] | null;
}

/** Studio's org-level `doPermissionsCheck`, with the json-logic subset our grants use. */
function can(grants: Grant[], slug: string, action: string, resource: string, data = {}) {
  const pattern = (p: string) => new RegExp(`^${p.replaceAll('.', '\\.').replaceAll('%', '.*')}$`);
  const context: Record<string, unknown> = { resource_name: resource, ...data };
  const lookup = (path: string) =>
    path
      .split('.')
      .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], context);
  const value = (x: unknown) =>
    x && typeof x === 'object' && 'var' in x ? lookup((x as { var: string }).var) : x;
  const holds = ({ condition }: Grant) => {
    if (condition === null) return true;
    const [a, b] = (condition as { '==': unknown[] })['=='];
    return value(a) === value(b);
  };
  const applicable = grants.filter(
    (g) =>
      !g.project_refs?.length &&
      g.organization_slug === slug &&
      g.actions.some((a) => pattern(a).test(action)) &&
      g.resources.some((r) => pattern(r).test(resource)),
  );
  if (applicable.filter((g) => g.restrictive).some(holds)) return false;
  return applicable.filter((g) => !g.restrictive).some(holds);
}

describe('permissions', () => {
  it('grants per organization and role, with an explicit null condition', async () => {
    const t = await team('owner', 'administrator', 'developer', 'read_only');
    const grantsOf = async (who: SignedInUser) => {
      const res = await get(who, '/profile/permissions');
      expect(res.status).toBe(200);
      expectStudioSchema('PermissionsResponse', res.body);
      return res.body as Grant[];
    };
    const owner = await grantsOf(t.owner);
    expect(owner).toEqual([
      expect.objectContaining({
        organization_slug: t.org.slug,
        organization_id: t.org.id,
        actions: ['%'],
        resources: ['%'],
        condition: null,
        restrictive: false,
        project_refs: null,
        project_ids: null,
      }),
    ]);
    const slug = t.org.slug;
    const admin = await grantsOf(t.administrator);
    expect(can(admin, slug, 'infra:Execute', 'queue_jobs.projects.pause')).toBe(true);
    expect(can(admin, slug, 'write:Create', 'user_invites', { resource: { role_id: 3 } })).toBe(
      true,
    );
    expect(can(admin, slug, 'write:Create', 'user_invites', { resource: { role_id: 1 } })).toBe(
      false,
    );

    const dev = await grantsOf(t.developer);
    expect(can(dev, slug, 'tenant:Sql:Admin:Write', 'tables')).toBe(true);
    expect(can(dev, slug, 'write:Create', 'user_content')).toBe(true);
    expect(can(dev, slug, 'read:Read', 'service_api_keys')).toBe(true);
    expect(can(dev, slug, 'write:Create', 'projects')).toBe(false);
    expect(can(dev, slug, 'write:Create', 'user_invites')).toBe(false);

    const ro = await grantsOf(t.read_only);
    for (const [action, resource] of [
      ['read:Read', 'projects'],
      ['read:Read', 'organizations'],
      ['tenant:Sql:Admin:Read', 'tables'],
      ['storage:Admin:Read', '*'],
      ['analytics:Read', 'logflare'],
    ]) {
      expect(can(ro, slug, action!, resource!), `${action} ${resource}`).toBe(true);
    }
    for (const [action, resource] of [
      ['write:Create', 'projects'],
      ['write:Update', 'user_content'],
      ['tenant:Sql:Admin:Write', 'tables'],
      ['tenant:Sql:Query', '*'],
      ['storage:Write', '*'],
      ['infra:Execute', 'queue_jobs.projects.pause'],
      ['read:Read', 'service_api_keys'],
    ]) {
      expect(can(ro, slug, action!, resource!), `${action} ${resource}`).toBe(false);
    }
    expect(ro.flatMap((g) => (g.restrictive ? [] : g.actions)).some((a) => /write/i.test(a))).toBe(
      false,
    );
    expect(can(ro, 'another-org', 'read:Read', 'projects')).toBe(false);
  });
});

describe('organizations', () => {
  it('lists the caller’s organizations in Studio’s shape', async () => {
    const t = await team('owner');
    const res = await get(t.owner, '/organizations');
    expect(res.status).toBe(200);
    const orgs = res.body as Array<Record<string, unknown>>;
    expect(orgs).toHaveLength(1);
    for (const org of orgs) expectStudioSchema('OrganizationResponse', org);
    expect(orgs[0]).toMatchObject({
      id: t.org.id,
      slug: t.org.slug,
      is_owner: true,
      plan: { id: 'free' },
    });
  });

  it('creates one with the creator as owner, and renames it (admins yes, developers no)', async () => {
    const me = await h.signIn('developer');
    const created = await send('POST', me, '/organizations', {
      name: 'Acme Labs',
      tier: 'tier_free',
    });
    expect(created.status).toBe(201);
    expectStudioSchema('OrganizationResponse', created.body);
    const org = created.body as { slug: string; id: number };
    expect(created.body).toMatchObject({ name: 'Acme Labs', is_owner: true });
    const again = await send('POST', me, '/organizations', { name: 'Acme Labs' });
    expect((again.body as { slug: string }).slug).not.toBe(org.slug);

    const admin = await h.signIn('administrator', org.id);
    const dev = await h.signIn('developer', org.id);
    const ro = await h.signIn('read_only', org.id);
    expect((await send('PATCH', dev, `/organizations/${org.slug}`, { name: 'X' })).status).toBe(
      403,
    );
    expect((await send('PATCH', ro, `/organizations/${org.slug}`, { name: 'X' })).status).toBe(403);
    const renamed = await send('PATCH', admin, `/organizations/${org.slug}`, {
      name: 'Acme Research',
    });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Acme Research', slug: org.slug } });
    expect((await get(ro, `/organizations/${org.slug}`)).body).toMatchObject({
      name: 'Acme Research',
    });
  });

  it('hides other organizations (404) on every organization route', async () => {
    const mine = await team('owner');
    const theirs = await team('owner');
    const slug = theirs.org.slug;
    for (const path of [
      '',
      '/billing/subscription',
      '/members',
      '/roles',
      '/members/invitations',
      '/members/mfa/enforcement',
      '/members/reached-free-project-limit',
    ]) {
      const res = await get(mine.owner, `/organizations/${slug}${path}`);
      expect(res.status, path).toBe(404);
      expect((res.body as { message: string }).message).toMatch(/not found/);
    }
    expect((await send('PATCH', mine.owner, `/organizations/${slug}`, { name: 'x' })).status).toBe(
      404,
    );
    expect((await send('DELETE', mine.owner, `/organizations/${slug}`)).status).toBe(404);
  });

  it('deletes only as owner, and only once no live project is left', async () => {
    const t = await team('owner', 'administrator');
    const ref = newProjectRef();
    await h.db.db.insert(projects).values({
      ref,
      name: 'live',
      organizationId: t.org.id,
      status: 'ACTIVE_HEALTHY',
      serverUuid: h.sim.state.servers[0]!.uuid,
      templateVersion: 'test',
    });
    expect((await send('DELETE', t.administrator, `/organizations/${t.org.slug}`)).status).toBe(
      403,
    );
    const blocked = await send('DELETE', t.owner, `/organizations/${t.org.slug}`);
    expect(blocked.status).toBe(409);
    expect((blocked.body as { message: string }).message).toMatch(/1 project/);

    await h.db.db.update(projects).set({ status: 'REMOVED' }).where(eq(projects.ref, ref));
    expect((await send('DELETE', t.owner, `/organizations/${t.org.slug}`)).status).toBe(200);
    expect((await get(t.owner, `/organizations/${t.org.slug}`)).status).toBe(404);
    expect(await h.db.db.select().from(projects).where(eq(projects.ref, ref))).toEqual([]);
  });

  it('serves the harmless billing and limit reads', async () => {
    const t = await team('read_only');
    const sub = await get(t.read_only, `/organizations/${t.org.slug}/billing/subscription`);
    expect(sub.status).toBe(200);
    expectStudioSchema('GetSubscriptionResponse', sub.body);
    expect(
      await get(t.read_only, `/organizations/${t.org.slug}/members/mfa/enforcement`),
    ).toMatchObject({
      status: 200,
      body: { enforced: false },
    });
    expect(
      await get(t.read_only, `/organizations/${t.org.slug}/members/reached-free-project-limit`),
    ).toMatchObject({ status: 200, body: [] });
    const roles = await get(t.read_only, `/organizations/${t.org.slug}/roles`);
    expect(roles.body).toEqual({
      org_scoped_roles: [
        expect.objectContaining({ id: 1, name: 'Owner', base_role_id: 1, project_ids: null }),
        expect.objectContaining({ id: 2, name: 'Administrator' }),
        expect.objectContaining({ id: 3, name: 'Developer' }),
        expect.objectContaining({ id: 4, name: 'Read-only' }),
      ],
      project_scoped_roles: [],
    });
  });
});

describe('members', () => {
  const ROLE = { owner: 1, administrator: 2, developer: 3, read_only: 4 } as const;
  const members = (as: SignedInUser, slug: string) => get(as, `/organizations/${slug}/members`);
  const setRole = (as: SignedInUser, slug: string, who: SignedInUser, role: keyof typeof ROLE) =>
    send('PATCH', as, `/organizations/${slug}/members/${who.user.id}`, { role_id: ROLE[role] });

  it('lists members with their role ids', async () => {
    const t = await team('owner', 'read_only');
    const res = await members(t.read_only, t.org.slug);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.arrayContaining([
        {
          gotrue_id: t.owner.user.id,
          username: expect.any(String),
          primary_email: t.owner.user.email,
          role_ids: [1],
          mfa_enabled: false,
          is_sso_user: false,
          metadata: {},
        },
        expect.objectContaining({ gotrue_id: t.read_only.user.id, role_ids: [4] }),
      ]),
    );
  });

  it('changes roles within the owner rules, and never loses the last owner', async () => {
    const t = await team('owner', 'administrator', 'developer', 'read_only');
    const slug = t.org.slug;
    expect((await setRole(t.read_only, slug, t.developer, 'administrator')).status).toBe(403);
    expect((await setRole(t.developer, slug, t.read_only, 'developer')).status).toBe(403);
    const promoted = await setRole(t.administrator, slug, t.developer, 'administrator');
    expect(promoted).toMatchObject({ status: 200, body: { role_ids: [2] } });
    expect((await setRole(t.administrator, slug, t.read_only, 'owner')).status).toBe(403);
    expect((await setRole(t.administrator, slug, t.owner, 'developer')).status).toBe(403);

    const lastOwner = await setRole(t.owner, slug, t.owner, 'administrator');
    expect(lastOwner.status).toBe(409);
    expect((lastOwner.body as { message: string }).message).toMatch(/last owner/);
    expect((await setRole(t.owner, slug, t.read_only, 'owner')).status).toBe(200);
    expect((await setRole(t.owner, slug, t.owner, 'administrator')).status).toBe(200);
    expect((await setRole(t.read_only, slug, t.read_only, 'developer')).status).toBe(409);
    expect(
      (
        await send('PATCH', t.read_only, `/organizations/${slug}/members/${t.owner.user.id}`, {
          role_id: 9,
        })
      ).status,
    ).toBe(400);
  });

  it('removes members: admins remove others, anyone may leave, the last owner stays', async () => {
    const t = await team('owner', 'administrator', 'developer', 'read_only');
    const slug = t.org.slug;
    const remove = (as: SignedInUser, who: SignedInUser) =>
      send('DELETE', as, `/organizations/${slug}/members/${who.user.id}`);
    expect((await remove(t.developer, t.read_only)).status).toBe(403);
    expect((await remove(t.administrator, t.owner)).status).toBe(403);
    expect((await remove(t.owner, t.owner)).status).toBe(409);
    expect((await remove(t.read_only, t.read_only)).status).toBe(200);
    expect((await remove(t.administrator, t.developer)).status).toBe(200);
    const left = (await members(t.owner, slug)).body as Array<{ gotrue_id: string }>;
    expect(left.map((m) => m.gotrue_id).sort()).toEqual(
      [t.owner.user.id, t.administrator.user.id].sort(),
    );
    expect((await get(t.read_only, `/organizations/${slug}`)).status).toBe(404);
  });
});

describe('invitations', () => {
  const invite = (as: SignedInUser, slug: string, emails: string[], role_id = 3) =>
    send('POST', as, `/organizations/${slug}/members/invitations`, { emails, role_id });

  it('invites by email; only the invited account can accept, then it is a member', async () => {
    const t = await team('owner', 'administrator', 'read_only');
    const invitee = await h.signIn('developer'); // an account elsewhere, not in t.org
    const stranger = await h.signIn('developer');
    const slug = t.org.slug;

    expect((await invite(t.read_only, slug, [invitee.user.email])).status).toBe(403);
    expect((await invite(t.administrator, slug, [invitee.user.email], 1)).status).toBe(403);
    expect((await invite(t.administrator, slug, [t.read_only.user.email])).status).toBe(409);
    const created = await invite(t.administrator, slug, [invitee.user.email.toUpperCase()]);
    expect(created.status).toBe(201);
    const [inv] = (
      created.body as { invitations: Array<{ id: number; token: string; join_path: string }> }
    ).invitations;
    expect(inv!.join_path).toContain(`slug=${slug}`);

    const listed = await get(t.read_only, `/organizations/${slug}/members/invitations`);
    expect(listed.body).toEqual({
      invitations: [
        {
          id: inv!.id,
          invited_at: expect.any(String),
          invited_email: invitee.user.email,
          role_id: 3,
        },
      ],
    });

    const path = `/organizations/${slug}/members/invitations/${inv!.token}`;
    expect((await get(invitee, path)).body).toEqual({
      authorized_user: true,
      email_match: true,
      expired_token: false,
      invite_id: inv!.id,
      organization_name: t.org.name,
      sso_mismatch: false,
      token_does_not_exist: false,
    });
    expect((await get(stranger, path)).body).toMatchObject({ email_match: false });
    expect((await get(invitee, `${path}x`)).body).toMatchObject({
      token_does_not_exist: true,
      organization_name: '',
    });
    expect((await send('POST', stranger, path)).status).toBe(403);

    const accepted = await send('POST', invitee, path);
    expect(accepted).toMatchObject({ status: 200, body: { organization_slug: slug, role_id: 3 } });
    expect((await send('POST', invitee, path)).status).toBe(404);
    const orgs = (await get(invitee, '/organizations')).body as Array<{ slug: string }>;
    expect(orgs.map((o) => o.slug)).toContain(slug);
    expect((await get(t.owner, `/organizations/${slug}/members/invitations`)).body).toEqual({
      invitations: [],
    });
  });

  it('lets admins withdraw and the invitee decline; others get 404', async () => {
    const t = await team('owner', 'developer');
    const invitee = await h.signIn('developer');
    const stranger = await h.signIn('developer');
    const slug = t.org.slug;
    const ids = async () => {
      const res = await invite(t.owner, slug, [invitee.user.email]);
      return (res.body as { invitations: Array<{ id: number }> }).invitations[0]!.id;
    };
    const first = await ids();
    const del = (as: SignedInUser, id: number) =>
      send('DELETE', as, `/organizations/${slug}/members/invitations/${id}`);
    expect((await del(stranger, first)).status).toBe(404);
    expect((await del(t.developer, first)).status).toBe(403);
    expect((await del(invitee, first)).status).toBe(200);
    const second = await ids();
    expect((await del(t.owner, second)).status).toBe(200);
    expect((await del(t.owner, second)).status).toBe(404);
  });
});

describe('sign-up and password reset', () => {
  it('answers 403 with a clear message when SUPAPLANE_ALLOW_SIGNUP is off', async () => {
    for (const path of ['/platform/signup', '/platform/reset-password']) {
      const res = await h.call('POST', path, {
        body: {
          email: 'someone@example.com',
          password: 'long enough password',
          hcaptchaToken: null,
        },
        headers: { Origin: STUDIO_ORIGIN },
      });
      expect(res.status, path).toBe(403);
      expect((res.body as { message: string }).message).toMatch(/SUPAPLANE_ALLOW_SIGNUP/);
    }
  });

  it('creates an account with its own organization when allowed, without revealing taken emails', async () => {
    const app = createApp({
      ...h.deps,
      config: { ...h.deps.config, SUPAPLANE_ALLOW_SIGNUP: true },
    });
    const post = (path: string, body: unknown) =>
      app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const email = `new-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a long enough password';
    const signup = await post('/platform/signup', { email, password, redirectTo: 'http://x' });
    expect(signup.status).toBe(200);
    expect(await signup.json()).toEqual({});
    const again = await post('/platform/signup', { email, password: 'another password!' });
    expect(again.status).toBe(200);

    const session = await post('/auth/v1/token?grant_type=password', { email, password });
    expect(session.status).toBe(200);
    const token = ((await session.json()) as { access_token: string }).access_token;
    const orgs = await h.call('GET', '/platform/organizations', { token });
    expect(orgs.body).toEqual([
      expect.objectContaining({ is_owner: true, name: expect.stringMatching(/^new-/) }),
    ]);
    expect((await h.call('GET', '/platform/profile', { token })).status).toBe(200);

    const reset = await post('/platform/reset-password', { email });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({});
    const unknown = await post('/platform/reset-password', { email: 'nobody@example.com' });
    expect(unknown.status).toBe(200);
    expect(h.logLines.some((l) => l.includes('password reset requested'))).toBe(true);
    expect(h.logLines.some((l) => l.includes(password))).toBe(false);
  });
});

describe('admin bootstrap', () => {
  it('creates the admin with a profile and a Default Organization, once, and never resets its password', async () => {
    const email = `Admin-${randomBytes(3).toString('hex')}@Example.com`;
    const deps = {
      ...h.deps,
      config: {
        ...h.deps.config,
        SUPAPLANE_ADMIN_EMAIL: email,
        SUPAPLANE_ADMIN_PASSWORD: 'first password',
      },
    };
    const first = await ensureAdmin(deps);
    expect(first?.created).toBe(true);
    const again = await ensureAdmin({
      ...deps,
      config: { ...deps.config, SUPAPLANE_ADMIN_PASSWORD: 'changed in env' },
    });
    expect(again).toMatchObject({ created: false, user: { id: first!.user.id } });

    const userId = first!.user.id;
    expect(
      await h.db.db.select().from(users).where(eq(users.email, email.toLowerCase())),
    ).toHaveLength(1);
    expect(await h.db.db.select().from(profiles).where(eq(profiles.userId, userId))).toHaveLength(
      1,
    );
    expect(await h.db.db.select().from(memberships).where(eq(memberships.userId, userId))).toEqual([
      expect.objectContaining({ role: 'owner' }),
    ]);

    const signIn = (password: string) =>
      h.call('POST', '/auth/v1/token?grant_type=password', { body: { email, password } });
    expect((await signIn('changed in env')).status).toBe(400);
    const session = await signIn('first password');
    expect(session.status).toBe(200);
    const token = (session.body as { access_token: string }).access_token;
    const orgs = await h.call('GET', '/platform/organizations', { token });
    expect(orgs.body).toEqual([
      expect.objectContaining({ name: 'Default Organization', is_owner: true }),
    ]);
    expect(
      await ensureAdmin({
        ...h.deps,
        config: { ...h.deps.config, SUPAPLANE_ADMIN_EMAIL: undefined },
      }),
    ).toBeUndefined();
  });
});
