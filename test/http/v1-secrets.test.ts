import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionSecrets } from '../../src/db/schema/index.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

let env: V1Env;
let owner: SignedInUser;
let ref: string;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  ref = await env.activeProject('Secrets');
});
afterAll(() => env?.close());

const call = (method: string, body?: unknown, as = owner) =>
  env.h.call(method, `/v1/projects/${ref}/secrets`, { as, body });
const sha = (v: string) => createHash('sha256').update(v).digest('hex');
const coolifyEnv = async () => {
  const uuid = (await env.h.project(ref)).coolifyServiceUuid!;
  return { env: env.h.sim.envOf(uuid), svc: env.h.sim.state.services.get(uuid)! };
};

describe('/v1/projects/{ref}/secrets', () => {
  it('stores secrets encrypted, lists digests and applies them to Coolify as literal env', async () => {
    const value = 'sk_live_$HOME_not_interpolated';
    const res = await call('POST', [
      { name: 'STRIPE_KEY', value },
      { name: 'OTHER', value: 'one' },
    ]);
    expect(res.status).toBe(201);
    expect((await env.h.project(ref)).status).toBe('RESTARTING');

    const rows = await env.h.db.db.select().from(functionSecrets);
    expect(rows.map((r) => r.name).sort()).toEqual(['OTHER', 'STRIPE_KEY']);
    expect(JSON.stringify(rows)).not.toContain('sk_live');

    const list = await call('GET');
    expect(list.status).toBe(200);
    const byName = Object.fromEntries(
      (list.body as { name: string; value: string }[]).map((s) => [s.name, s.value]),
    );
    expect(byName.STRIPE_KEY).toBe(sha(value));
    expect(Object.keys(byName)).toEqual(
      expect.arrayContaining(['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY']),
    );
    expect(JSON.stringify(list.body)).not.toContain('sk_live');

    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    const { env: vars, svc } = await coolifyEnv();
    // Template v2 delivers function secrets under SUPAPLANE_FN_, which only the
    // functions main service reads; the user's own name reaches no container.
    expect(vars.SUPAPLANE_FN_STRIPE_KEY).toBe(value);
    expect(vars.STRIPE_KEY).toBeUndefined();
    expect(svc.envs.get('SUPAPLANE_FN_STRIPE_KEY')?.is_literal).toBe(true);
    expect(svc.actions.filter((a) => a === 'restart').length).toBeGreaterThan(0);
    // The running containers have it: written env only reaches them through the restart.
    expect(svc.runtime!.startedEnv!.SUPAPLANE_FN_STRIPE_KEY).toBe(value);
    expect(env.h.logLines.join('\n')).not.toContain('sk_live');
  });

  it('replaces and deletes, removing deleted names from Coolify', async () => {
    expect((await call('POST', [{ name: 'OTHER', value: 'two' }])).status).toBe(201);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    expect((await coolifyEnv()).env.SUPAPLANE_FN_OTHER).toBe('two');
    expect((await coolifyEnv()).svc.runtime!.startedEnv!.SUPAPLANE_FN_OTHER).toBe('two');
    const del = await call('DELETE', ['OTHER', 'NEVER_SET']);
    expect(del.status).toBe(200);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    const { env: vars, svc } = await coolifyEnv();
    expect(vars.SUPAPLANE_FN_OTHER).toBeUndefined();
    expect(svc.runtime!.startedEnv!.SUPAPLANE_FN_OTHER).toBeUndefined();
    expect(vars.SUPAPLANE_FN_STRIPE_KEY).toBeDefined();
    const names = ((await call('GET')).body as { name: string }[]).map((s) => s.name);
    expect(names).not.toContain('OTHER');
    // Nothing to delete: no restart.
    expect((await call('DELETE', ['NEVER_SET'])).status).toBe(200);
    expect((await env.h.project(ref)).status).toBe('ACTIVE_HEALTHY');
  });

  it('refuses reserved or malformed names and values the .env cannot carry', async () => {
    for (const body of [
      [{ name: 'SUPABASE_URL', value: 'x' }],
      [{ name: 'JWT_SECRET', value: 'x' }],
      [{ name: 'POSTGRES_PASSWORD', value: 'x' }],
      [{ name: 'SERVICE_PASSWORD_JWT', value: 'x' }],
      [{ name: '1ABC', value: 'x' }],
      [{ name: 'A-B', value: 'x' }],
      [{ name: 'QUOTE', value: "it's" }],
      [{ name: 'MULTI', value: 'a\nb' }],
      [],
      {},
    ]) {
      const res = await call('POST', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const reader = await env.h.signIn('read_only');
    expect((await call('POST', [{ name: 'X', value: 'y' }], reader)).status).toBe(403);
    expect((await call('GET', undefined, reader)).status).toBe(200);
  });

  it('keeps platform names (PORT, PGDATA, NODE_OPTIONS, KONG_ADMIN_LISTEN) away from the stack on v2 and refuses them on v1', async () => {
    const names = ['PORT', 'PGDATA', 'NODE_OPTIONS', 'KONG_ADMIN_LISTEN'];
    const res = await call(
      'POST',
      names.map((name) => ({ name, value: `user-${name}` })),
    );
    expect(res.status).toBe(201);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    const { env: vars } = await coolifyEnv();
    for (const name of names) {
      // No Coolify env row, hence no container, gets the user's name
      // (test/template-v2.test.ts shows what the functions main service does).
      expect(vars[name], name).toBeUndefined();
      expect(vars[`SUPAPLANE_FN_${name}`], name).toBe(`user-${name}`);
    }
    const listed = ((await call('GET')).body as { name: string }[]).map((s) => s.name);
    expect(listed).toEqual(expect.arrayContaining(names));
    expect(listed.some((n) => n.startsWith('SUPAPLANE_FN_'))).toBe(false);

    // A project still on template v1 delivers secrets under their own names.
    const v1Ref = await env.activeProject('Still on v1');
    await env.h.db.sql`update projects set template_version = 'v1' where ref = ${v1Ref}`;
    for (const name of names) {
      const refused = await env.h.call('POST', `/v1/projects/${v1Ref}/secrets`, {
        as: owner,
        body: [{ name, value: 'x' }],
      });
      expect(refused.status, name).toBe(400);
      expect((refused.body as { message: string }).message).toMatch(/template v1/);
    }
    const fine = await env.h.call('POST', `/v1/projects/${v1Ref}/secrets`, {
      as: owner,
      body: [{ name: 'STRIPE_KEY', value: 'x' }],
    });
    expect(fine.status).toBe(201);
  });
});
