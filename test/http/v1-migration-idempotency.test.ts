import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { Principal } from '../../src/auth/principal.js';
import { applyMigration, listMigrations } from '../../src/database/query.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

// The Idempotency-Key of a migration is kept in the project's own history table, so a
// repeat sent to another Supaplane process, or after a restart, is recognised there and
// not by the in-memory replay of the process that answered first (audit mutant M18).

let env: V1Env;
let owner: SignedInUser;
let ref: string;
let token: string;
let actor: Principal;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  ref = await env.activeProject('Durable keys');
  actor = { userId: owner.user.id, email: owner.user.email, via: 'access_token' };
});
afterAll(() => env?.close());

const apply = (app: ReturnType<typeof createApp>, key: string, query: string) =>
  app.request(`/v1/projects/${ref}/database/migrations`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
    },
    body: JSON.stringify({ name: 'durable', query }),
  });

describe('a migration’s Idempotency-Key', () => {
  it('is honoured by another process (a fresh app, no shared memory)', async () => {
    const query =
      'create table durable_once (id int primary key); insert into durable_once values (1);';
    const first = await apply(env.h.app, 'durable-1', query);
    expect(first.status).toBe(200);
    // A second process, or this one after a restart: its in-memory replay is empty.
    const restarted = createApp(env.h.deps);
    const again = await apply(restarted, 'durable-1', query);
    expect(again.status, await again.text()).toBe(200);
    const rows = await env.projectSql`select id from durable_once`;
    expect(rows.map((r) => r.id)).toEqual([1]);
    const history = await listMigrations(env.h.deps, { actor, input: { ref } });
    expect(history.filter((m) => m.name === 'durable')).toHaveLength(1);
  });

  it('a repeat reports the version recorded the first time, also when both race', async () => {
    await env.projectSql`create table durable_race (n int)`;
    const input = { ref, query: 'insert into durable_race values (1)', idempotencyKey: 'race-1' };
    const [a, b] = await Promise.all([
      applyMigration(env.h.deps, { actor, input }),
      applyMigration(env.h.deps, { actor, input }),
    ]);
    expect([a.applied, b.applied].sort()).toEqual([false, true]);
    expect(a.version).toMatch(/^\d{14,}$/);
    expect(b.version).toBe(a.version);
    const later = await applyMigration(env.h.deps, { actor, input });
    expect(later).toEqual({ version: a.version, applied: false });
    expect(await env.projectSql`select n from durable_race`).toHaveLength(1);
  });
});
