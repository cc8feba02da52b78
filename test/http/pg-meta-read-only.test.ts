import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

/**
 * Read-only members read every table through POST /platform/pg-meta/{ref}/query, as
 * Studio's table editor does, in a read-only transaction as supabase_read_only_user;
 * everything that writes, or that tries to leave the transaction or the role, is
 * refused. The table is checked directly afterwards: nothing got through.
 */
let env: V1Env;
let owner: SignedInUser;
let reader: SignedInUser;
let ref: string;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  reader = await env.h.signIn('read_only');
  ref = await env.activeProject('Read only');
  await env.projectSql.unsafe(`
    create table public.notes (id serial primary key, body text);
    insert into public.notes (body) values ('first'), ('second');
    create function public.sneaky() returns int language sql as
      $$ insert into public.notes (body) values ('sneaky') returning id $$;`);
});
afterAll(() => env?.close());

const query = (as: SignedInUser, sql: string) =>
  env.h.call('POST', `/platform/pg-meta/${ref}/query?key=table-editor`, {
    as,
    headers: {
      'x-connection-encrypted': `enc:${ref}`,
      'x-pg-application-name': 'supabase/dashboard',
    },
    body: { query: sql },
  });
const bodies = async () =>
  (await env.projectSql`select body from public.notes order by id`).map((r) => r.body as string);

describe('read-only members through pg-meta', () => {
  it('list tables and read rows', async () => {
    const tables = await query(
      reader,
      `with t as (select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r') select relname as name from t order by 1`,
    );
    expect(tables.status, JSON.stringify(tables.body)).toBe(200);
    expect(tables.body).toEqual([{ name: 'notes' }]);
    const rows = await query(
      reader,
      'select id, body from public.notes order by id limit 100 -- page 1',
    );
    expect(rows.status, JSON.stringify(rows.body)).toBe(200);
    expect((rows.body as { body: string }[]).map((r) => r.body)).toEqual(['first', 'second']);
    const listed = await env.h.call(
      'GET',
      `/platform/pg-meta/${ref}/tables?included_schemas=public`,
      {
        as: reader,
      },
    );
    expect(listed.status).toBe(200);
  });

  it('gets 403 on insert through the same route, while an owner may insert', async () => {
    const res = await query(reader, "insert into public.notes (body) values ('nope')");
    expect(res.status).toBe(403);
    expect((res.body as { message: string }).message).toMatch(/Read-only members/);
    expect((await query(owner, "insert into public.notes (body) values ('third')")).status).toBe(
      200,
    );
    expect(await bodies()).toEqual(['first', 'second', 'third']);
  });

  it.each([
    ['ending the transaction', "select 1; commit; insert into public.notes (body) values ('x')"],
    [
      'rolling back and writing',
      "select 1; rollback; insert into public.notes (body) values ('x')",
    ],
    ['leaving the role', "reset role; insert into public.notes (body) values ('x')"],
    [
      'a read-write transaction',
      "set transaction read write; insert into public.notes (body) values ('x')",
    ],
    ['the role through set_config', "select set_config('role', current_user, true), 1"],
    [
      'set_config hidden in a subquery',
      "select * from (select pg_catalog.set_config('transaction_read_only', 'off', true)) s",
    ],
    ['explain analyze of a write', "explain analyze insert into public.notes (body) values ('x')"],
    ['select into', 'select * into public.copy from public.notes'],
    ['DO blocks', "do $$ begin insert into public.notes (body) values ('x'); end $$"],
    ['copy to a file', "copy public.notes to '/tmp/notes'"],
    ['a trailing comment', 'select 1 -- ;\ncommit; delete from public.notes'],
    ['notify', "select pg_notify('pgrst', 'reload schema')"],
  ])('refuses %s with 403', async (_what, sql) => {
    const res = await query(reader, sql);
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(await bodies()).toEqual(['first', 'second', 'third']);
  });

  it.each([
    [
      'a data-modifying CTE',
      "with x as (insert into public.notes (body) values ('x') returning *) select * from x",
    ],
    ['a function that writes', 'select public.sneaky()'],
    ['nextval', "select nextval('public.notes_id_seq')"],
    ['superuser-only functions', "select pg_read_file('/etc/hostname')"],
  ])('lets Postgres refuse %s (read-only transaction, read-only role)', async (_what, sql) => {
    const res = await query(reader, sql);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(await bodies()).toEqual(['first', 'second', 'third']);
  });

  it('400 for SQL that does not parse, no matter the role', async () => {
    expect((await query(reader, 'selec 1')).status).toBe(400);
  });
});
