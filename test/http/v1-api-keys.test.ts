import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

const studioSchema = new Ajv2020.default({ strict: false }).compile(
  JSON.parse(
    readFileSync('../shared/reference/studio/schemas/ApiKeysResponse.json', 'utf8'),
  ) as object,
);

interface Key {
  api_key: string | null;
  id: string | null;
  type: string | null;
  name: string;
  prefix: string | null;
  hash: string | null;
  secret_jwt_template: unknown;
}

let env: V1Env;
let owner: SignedInUser;
let ref: string;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  ref = await env.activeProject('Keys');
});
afterAll(() => env?.close());

const keys = async (as: SignedInUser, reveal?: boolean) => {
  const q = reveal === undefined ? '' : `?reveal=${reveal}`;
  const res = await env.h.call('GET', `/v1/projects/${ref}/api-keys${q}`, { as });
  expect(res.status).toBe(200);
  expect(studioSchema(res.body)).toBe(true);
  return res.body as Key[];
};

const secretsOf = async () =>
  (await loadProjectSecrets(env.h.db.db, env.h.deps.keyring, (await env.h.project(ref)).id))!;

const coolifyEnv = async () => env.h.sim.envOf((await env.h.project(ref)).coolifyServiceUuid!);

describe('/v1/projects/{ref}/api-keys', () => {
  it('lists legacy and new keys; secret values only with reveal', async () => {
    const secrets = await secretsOf();
    const hidden = await keys(owner);
    expect(hidden.map((k) => [k.name, k.type])).toEqual([
      ['anon', 'legacy'],
      ['service_role', 'legacy'],
      ['default', 'publishable'],
      ['default', 'secret'],
    ]);
    const byType = (list: Key[], type: string) => list.find((k) => k.type === type)!;
    expect(hidden[0]!.api_key).toBe(secrets.SUPABASE_ANON_KEY);
    expect(hidden[1]!.api_key).toBe(secrets.SUPABASE_SERVICE_KEY);
    expect(byType(hidden, 'publishable').api_key).toBe(secrets.SUPABASE_PUBLISHABLE_KEY);
    const masked = byType(hidden, 'secret').api_key!;
    expect(masked).toMatch(/^sb_secret_\w{4}•+$/);
    expect(byType(hidden, 'secret').secret_jwt_template).toEqual({ role: 'service_role' });

    const revealed = await keys(owner, true);
    expect(byType(revealed, 'secret').api_key).toBe(secrets.SUPABASE_SECRET_KEY);

    const one = await env.h.call(
      'GET',
      `/v1/projects/${ref}/api-keys/${byType(revealed, 'secret').id}?reveal=true`,
      { as: owner },
    );
    expect(one.status).toBe(200);
    expect(one.body).toEqual(byType(revealed, 'secret'));
    const anon = await env.h.call('GET', `/v1/projects/${ref}/api-keys/anon`, { as: owner });
    expect(anon.body).toMatchObject({ name: 'anon', api_key: secrets.SUPABASE_ANON_KEY });
  });

  it('read-only members see no secret values and cannot reveal', async () => {
    const reader = await env.h.signIn('read_only');
    const list = await keys(reader);
    expect(list.find((k) => k.name === 'service_role')!.api_key).toBeNull();
    expect(list.find((k) => k.type === 'secret')!.api_key).toMatch(/•/);
    const reveal = await env.h.call('GET', `/v1/projects/${ref}/api-keys?reveal=true`, {
      as: reader,
    });
    expect(reveal.status).toBe(403);
    const create = await env.h.call('POST', `/v1/projects/${ref}/api-keys`, {
      as: reader,
      body: { type: 'secret', name: 'nope' },
    });
    expect(create.status).toBe(403);
  });

  it('legacy status is always enabled', async () => {
    const res = await env.h.call('GET', `/v1/projects/${ref}/api-keys/legacy`, { as: owner });
    expect(res).toMatchObject({ status: 200, body: { enabled: true } });
  });

  it('renames a key without touching its value or the stack', async () => {
    const before = await secretsOf();
    const id = (await keys(owner)).find((k) => k.type === 'publishable')!.id!;
    const res = await env.h.call('PATCH', `/v1/projects/${ref}/api-keys/${id}`, {
      as: owner,
      body: { name: 'web_app', description: 'The web app' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, name: 'web_app', description: 'The web app' });
    expect((await env.h.project(ref)).status).toBe('ACTIVE_HEALTHY');
    expect((await secretsOf()).SUPABASE_PUBLISHABLE_KEY).toBe(before.SUPABASE_PUBLISHABLE_KEY);
  });

  it('deletes a secret key: new value in the envelope and Coolify env, RESTARTING until healthy', async () => {
    const before = await secretsOf();
    const secret = (await keys(owner)).find((k) => k.type === 'secret')!;
    const res = await env.h.call('DELETE', `/v1/projects/${ref}/api-keys/${secret.id}`, {
      as: owner,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: secret.id, type: 'secret' });
    expect((await env.h.project(ref)).status).toBe('RESTARTING');
    const after = await secretsOf();
    expect(after.SUPABASE_SECRET_KEY).not.toBe(before.SUPABASE_SECRET_KEY);
    expect(after.SUPABASE_SECRET_KEY).toMatch(/^sb_secret_/);
    await env.h.jobsIdle();
    expect((await coolifyEnv()).SUPABASE_SECRET_KEY).toBe(after.SUPABASE_SECRET_KEY);
    const svc = env.h.sim.state.services.get((await env.h.project(ref)).coolifyServiceUuid!)!;
    expect(svc.actions).toContain('restart');
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    expect((await keys(owner)).some((k) => k.type === 'secret')).toBe(false);
    const gone = await env.h.call('GET', `/v1/projects/${ref}/api-keys/${secret.id}`, {
      as: owner,
    });
    expect(gone.status).toBe(404);
  });

  it('creates a secret key (one per type) and applies it', async () => {
    const res = await env.h.call('POST', `/v1/projects/${ref}/api-keys?reveal=true`, {
      as: owner,
      body: { type: 'secret', name: 'backend', secret_jwt_template: { role: 'service_role' } },
    });
    expect(res.status).toBe(201);
    const key = res.body as Key;
    expect(key).toMatchObject({ type: 'secret', name: 'backend' });
    expect(key.api_key).toBe((await secretsOf()).SUPABASE_SECRET_KEY);
    expect((await env.h.project(ref)).status).toBe('RESTARTING');
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    expect((await coolifyEnv()).SUPABASE_SECRET_KEY).toBe(key.api_key);

    const again = await env.h.call('POST', `/v1/projects/${ref}/api-keys`, {
      as: owner,
      body: { type: 'secret', name: 'another' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ message: expect.stringContaining('one of each') });
  });

  it('refuses bad input and legacy changes', async () => {
    for (const body of [
      { type: 'secret', name: 'x' },
      { type: 'legacy', name: 'abcd' },
      { type: 'secret', name: 'Bad Name' },
      { type: 'publishable', name: 'abcd', secret_jwt_template: { role: 'service_role' } },
    ]) {
      const res = await env.h.call('POST', `/v1/projects/${ref}/api-keys`, { as: owner, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const legacy = await env.h.call('DELETE', `/v1/projects/${ref}/api-keys/anon`, { as: owner });
    expect(legacy.status).toBe(400);
    const unknown = await env.h.call(
      'GET',
      `/v1/projects/${ref}/api-keys/7d3a1c7e-2f37-4a53-9a8d-6a2d1c9e8b10`,
      { as: owner },
    );
    expect(unknown.status).toBe(404);
  });

  it('a paused project gets the env without a restart', async () => {
    const paused = await env.activeProject('Paused keys');
    const pause = await env.h.call('POST', `/v1/projects/${paused}/pause`, { as: owner });
    expect(pause.status).toBe(200);
    await env.h.settle(paused, 'INACTIVE');
    const list = (await env.h.call('GET', `/v1/projects/${paused}/api-keys`, { as: owner }))
      .body as Key[];
    const pub = list.find((k) => k.type === 'publishable')!;
    const res = await env.h.call('DELETE', `/v1/projects/${paused}/api-keys/${pub.id}`, {
      as: owner,
    });
    expect(res.status).toBe(200);
    expect((await env.h.project(paused)).status).toBe('INACTIVE');
    await env.h.jobsIdle();
    const project = await env.h.project(paused);
    const secrets = (await loadProjectSecrets(env.h.db.db, env.h.deps.keyring, project.id))!;
    expect(env.h.sim.envOf(project.coolifyServiceUuid!).SUPABASE_PUBLISHABLE_KEY).toBe(
      secrets.SUPABASE_PUBLISHABLE_KEY,
    );
    expect(env.h.sim.state.services.get(project.coolifyServiceUuid!)!.actions).not.toContain(
      'restart',
    );
  });
});
