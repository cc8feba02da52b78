import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSqlStatements } from '../../src/database/sql-statements.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

let env: V1Env;
let owner: SignedInUser;
let ref: string;
let token: string;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  ref = await env.activeProject('Database');
});
afterAll(() => env?.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  env.h.call('POST', `/v1/projects/${ref}${path}`, { token, body, headers });

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons only', () => {
    expect(
      splitSqlStatements(
        `create table a (t text default ';'); -- c;\n/* x; /* y; */ */ insert into a values ($$;$$), (E'\\';');` +
          `create function f() returns int language sql begin atomic select case when true then 1 end; end;;`,
      ),
    ).toEqual([
      `create table a (t text default ';')`,
      `-- c;\n/* x; /* y; */ */ insert into a values ($$;$$), (E'\\';')`,
      `create function f() returns int language sql begin atomic select case when true then 1 end; end`,
    ]);
    expect(splitSqlStatements(' -- only a comment\n ; ')).toEqual([]);
  });
});

describe('/v1/projects/{ref}/database/query', () => {
  it('runs SQL with the service key through pg-meta, with parameters', async () => {
    const res = await post('/database/query', {
      query: 'select $1::int + 1 as n',
      parameters: [41],
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual([{ n: 42 }]);
    const sent = env.gateway.requests
      .filter((r) => r.ref === ref && r.path === '/pg/query')
      .at(-1)!;
    const secrets = (await env.h.call('GET', `/v1/projects/${ref}/api-keys`, { token })).body as {
      name: string;
      api_key: string;
    }[];
    expect(sent.apikey).toBe(secrets.find((k) => k.name === 'service_role')!.api_key);
    expect(sent.authorization).not.toContain(token);
  });

  it('reports SQL errors as 400 with the database message', async () => {
    const res = await post('/database/query', { query: 'select * from no_such_table' });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(
      /^Failed to run sql query: .*no_such_table/s,
    );
  });

  it('read-only: one statement, no writes, no transaction escapes', async () => {
    await post('/database/query', {
      query: 'create table if not exists ro_t (id int); insert into ro_t values (1)',
    });
    const ok = await post('/database/query/read-only', {
      query: 'select count(*)::int as n from ro_t',
    });
    expect(ok).toMatchObject({ status: 201, body: [{ n: 1 }] });
    const viaFlag = await post('/database/query', { query: 'select 2 as two', read_only: true });
    expect(viaFlag).toMatchObject({ status: 201, body: [{ two: 2 }] });
    const write = await post('/database/query/read-only', { query: 'insert into ro_t values (2)' });
    expect(write.status).toBe(400);
    expect((write.body as { message: string }).message).toMatch(
      /read-only transaction|permission denied/,
    );
    for (const query of ['select 1; select 2', 'commit', 'set role postgres', '  reset role']) {
      expect((await post('/database/query/read-only', { query })).status, query).toBe(400);
    }
    expect((await env.projectSql`select count(*)::int as n from ro_t`)[0]!.n).toBe(1);
  });

  it('needs write access: read-only members get 403', async () => {
    const reader = await env.h.signIn('read_only');
    const res = await env.h.call('POST', `/v1/projects/${ref}/database/query`, {
      as: reader,
      body: { query: 'select 1' },
    });
    expect(res.status).toBe(403);
  });
});

describe('/v1/projects/{ref}/database/migrations', () => {
  it('applies and records migrations as the Supabase CLI does', async () => {
    const empty = await env.h.call('GET', `/v1/projects/${ref}/database/migrations`, { token });
    expect(empty).toMatchObject({ status: 200, body: [] });

    const key = `mig-${Date.now()}`;
    const apply = await post(
      '/database/migrations',
      {
        name: 'create_notes',
        query: 'create table notes (id int primary key); insert into notes values (1);',
      },
      { 'Idempotency-Key': key },
    );
    expect(apply.status).toBe(200);
    const again = await post(
      '/database/migrations',
      {
        name: 'create_notes',
        query: 'create table notes (id int primary key); insert into notes values (1);',
      },
      { 'Idempotency-Key': key },
    );
    expect(again.status).toBe(200);
    const second = await post('/database/migrations', {
      name: 'more',
      query: 'insert into notes values (2)',
    });
    expect(second.status).toBe(200);

    const list = await env.h.call('GET', `/v1/projects/${ref}/database/migrations`, { token });
    const rows = list.body as { version: string; name: string }[];
    expect(rows.map((r) => r.name)).toEqual(['create_notes', 'more']);
    expect(rows[0]!.version).toMatch(/^\d{14}$/);
    expect(BigInt(rows[1]!.version)).toBeGreaterThan(BigInt(rows[0]!.version));

    const one = await env.h.call(
      'GET',
      `/v1/projects/${ref}/database/migrations/${rows[0]!.version}`,
      { token },
    );
    expect(one.body).toEqual({
      version: rows[0]!.version,
      name: 'create_notes',
      statements: ['create table notes (id int primary key)', 'insert into notes values (1)'],
      created_by: owner.user.email,
      idempotency_key: key,
    });
    const history =
      await env.projectSql`select version, name, statements from supabase_migrations.schema_migrations order by version`;
    expect(history.map((r) => r.name)).toEqual(['create_notes', 'more']);
    expect((await env.projectSql`select count(*)::int as n from notes`)[0]!.n).toBe(2);
    const missing = await env.h.call('GET', `/v1/projects/${ref}/database/migrations/1`, { token });
    expect(missing.status).toBe(404);
  });

  it('a failing migration changes nothing and is not recorded', async () => {
    const before = await env.h.call('GET', `/v1/projects/${ref}/database/migrations`, { token });
    const res = await post('/database/migrations', {
      name: 'broken',
      query: 'create table half_done (id int); select * from nowhere;',
    });
    expect(res.status).toBe(400);
    const after = await env.h.call('GET', `/v1/projects/${ref}/database/migrations`, { token });
    expect(after.body).toEqual(before.body);
    expect((await env.projectSql`select to_regclass('half_done') as t`)[0]!.t).toBeNull();
  });
});

describe('/v1/projects/{ref}/types/typescript', () => {
  it("generates types with pg-meta's generator", async () => {
    await post('/database/query', {
      query: 'create table if not exists public.typed (id int primary key, label text)',
    });
    const res = await env.h.call(
      'GET',
      `/v1/projects/${ref}/types/typescript?included_schemas=public`,
      { token },
    );
    expect(res.status).toBe(200);
    const types = (res.body as { types: string }).types;
    expect(types).toContain('export type Database');
    expect(types).toContain('typed:');
    expect(types).toContain('label: string | null');
  });
});
