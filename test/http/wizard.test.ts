import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_API_OFF_SCHEMA } from '../../src/settings/env-mapping.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

/**
 * The new-project wizard's choices (ProjectCreationForm: db_pass, data_api_exposed_schemas,
 * db_sql for "enable automatic RLS") are honoured: each is visible in what Supaplane sent
 * to Coolify or ran on the database. Options Supaplane cannot provide are a 400.
 */
let env: V1Env;
let owner: SignedInUser;

// What Studio's "Enable automatic RLS" sends: an event trigger enabling RLS on new tables.
const AUTO_RLS = `
create or replace function public.rls_auto_enable() returns event_trigger language plpgsql as $$
declare cmd record;
begin
  for cmd in select * from pg_event_trigger_ddl_commands() where command_tag = 'CREATE TABLE' loop
    execute format('alter table %s enable row level security', cmd.object_identity);
  end loop;
end $$;
create event trigger ensure_rls on ddl_command_end when tag in ('CREATE TABLE')
  execute function public.rls_auto_enable();`;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
});
afterAll(() => env?.close());

const create = (body: Record<string, unknown>) =>
  env.h.call('POST', '/platform/projects', {
    as: owner,
    body: {
      cloud_provider: 'AWS',
      organization_slug: env.h.org.slug,
      region_selection: { type: 'smartGroup', code: 'americas' },
      data_api_use_api_schema: false,
      high_availability: false,
      ...body,
    },
  });

describe('the wizard', () => {
  it('db_pass, Data API off and automatic RLS take effect', async () => {
    const res = await create({
      name: 'Wizard',
      db_pass: 'Wizard-db-pass.123',
      data_api_exposed_schemas: [],
      db_sql: AUTO_RLS,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const ref = (res.body as { ref: string }).ref;
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    // Sent to Coolify: the database password and the Data API's schemas.
    const uuid = (await env.h.project(ref)).coolifyServiceUuid!;
    const vars = env.h.sim.envOf(uuid);
    expect(vars.POSTGRES_PASSWORD).toBe('Wizard-db-pass.123');
    expect(vars.PGRST_DB_SCHEMAS).toBe(DATA_API_OFF_SCHEMA);
    const postgrest = await env.h.call('GET', `/platform/projects/${ref}/config/postgrest`, {
      as: owner,
    });
    expect((postgrest.body as { db_schema: string }).db_schema).toBe('');
    // Ran on the database once it was up: new tables get RLS.
    await env.h.jobsIdle();
    const [trigger] =
      await env.projectSql`select evtname from pg_event_trigger where evtname = 'ensure_rls'`;
    expect(trigger).toBeDefined();
    await env.projectSql`create table public.wizard_made (id int)`;
    const [rls] =
      await env.projectSql`select relrowsecurity from pg_class where relname = 'wizard_made'`;
    expect(rls?.relrowsecurity).toBe(true);
    await env.projectSql`drop event trigger ensure_rls`;
    expect((await env.h.project(ref)).lastError).toBeNull();
  });

  it('a failing db_sql is shown on the project', async () => {
    const res = await create({
      name: 'Broken SQL',
      db_pass: 'another-pass-123',
      db_sql: 'select from nowhere_at_all',
    });
    expect(res.status).toBe(201);
    const ref = (res.body as { ref: string }).ref;
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    await env.h.jobsIdle();
    const detail = await env.h.call('GET', `/platform/projects/${ref}`, { as: owner });
    expect((detail.body as { last_error: string }).last_error).toMatch(/db_sql.*nowhere_at_all/);
  });

  it.each([
    [{ postgres_engine: '17' }, /postgres_engine/],
    [{ release_channel: 'beta' }, /release_channel/],
    [{ desired_instance_size: 'ci_large' }, /desired_instance_size/],
    [{ data_api_exposed_schemas: ['public', 'bad name'] }, /data_api_exposed_schemas/],
    [{ db_pass: 'short' }, /db_pass/],
  ])('refuses %o with 400 saying so', async (extra, message) => {
    const res = await create({ name: 'Refused', db_pass: 'a-good-password-1', ...extra });
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(message);
  });
});
