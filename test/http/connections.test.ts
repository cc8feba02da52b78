import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../../src/db/schema/index.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { expectStudioSchema } from '../support/studio-schemas.js';
import { contractProblems } from '../support/v1-spec.js';

// Every surface that shows a database connection, for a v2 project (whose stack
// serves db.<ref>.<domain>:5432 direct and :6543 pooled, with TLS: ADR 0003) and a
// v1 project (which serves neither and keeps its old strings, pooler reported absent).

let h: ApiHarness;
let owner: SignedInUser;
let v2: string;
let v1: string;

beforeAll(async () => {
  h = await startApiHarness({ startRunner: false });
  owner = await h.signIn('owner');
  // These views read the row only: the projects need not run.
  v2 = (
    await createProject(h.deps, {
      actor: { id: 'test' },
      input: { organizationId: h.org.id, name: 'Pooled', dbPassword: 'chosen-by-me' },
    })
  ).ref;
  const [row] = await h.db.db
    .insert(projects)
    .values({
      ref: Array.from({ length: 20 }, () => 'qrstuv'[randomInt(6)]).join(''),
      name: 'Old',
      organizationId: h.org.id,
      status: 'ACTIVE_HEALTHY',
      serverUuid: h.deps.config.COOLIFY_SERVER_UUIDS[0]!,
      templateVersion: 'v1',
    })
    .returning();
  v1 = row!.ref;
});
afterAll(async () => {
  await h?.close();
});

const get = async (path: string) => {
  const res = await h.call('GET', path, { as: owner });
  expect(res.status, `${path} → ${JSON.stringify(res.body)}`).toBe(200);
  if (path.startsWith('/v1/')) {
    expect(contractProblems('GET', path, res.status, res.body).problems, path).toEqual([]);
  }
  return res.body as Record<string, unknown> & unknown[];
};

const direct = (ref: string) =>
  `postgresql://postgres:[YOUR-PASSWORD]@db.${ref}.supa.test:5432/postgres?sslmode=require`;
const pooled = (ref: string) =>
  `postgresql://postgres:[YOUR-PASSWORD]@db.${ref}.supa.test:6543/postgres?sslmode=require`;

describe('connection strings of a v2 project', () => {
  it('Studio: settings and databases give the direct route, with TLS enforced', async () => {
    const settings = await get(`/platform/projects/${v2}/settings`);
    expectStudioSchema('ProjectSettingsResponse', settings);
    expect(settings).toMatchObject({
      db_host: `db.${v2}.supa.test`,
      db_port: 5432,
      db_user: 'postgres',
      db_name: 'postgres',
      ssl_enforced: true,
    });
    const databases = await get(`/platform/projects/${v2}/databases`);
    expectStudioSchema('DatabasesResponse', databases);
    const [database] = databases;
    expect(database).toMatchObject({ db_host: `db.${v2}.supa.test`, db_port: 5432 });
  });

  it('Studio: the Connect dialog’s poolers are the stack’s PgBouncer on 6543', async () => {
    // Dedicated (transaction) pooler: /config/pgbouncer's connection_string.
    expect(await get(`/platform/projects/${v2}/config/pgbouncer`)).toMatchObject({
      connection_string: pooled(v2),
      db_host: `db.${v2}.supa.test`,
      db_port: 6543,
      db_user: 'postgres',
      pgbouncer_enabled: true,
      pgbouncer_status: 'ENABLED',
      pool_mode: 'transaction',
      ssl_enforced: true,
    });
    // Shared pooler: the PRIMARY entry of /config/supavisor. Studio makes the
    // session string by changing 6543 to 5432 (ConnectStepsSection.tsx@0523a036),
    // which lands on the direct route.
    const entries = await get(`/platform/projects/${v2}/config/supavisor`);
    expect(entries).toEqual([
      expect.objectContaining({
        identifier: v2,
        database_type: 'PRIMARY',
        connection_string: pooled(v2),
        db_port: 6543,
        pool_mode: 'transaction',
      }),
    ]);
    const entry = entries[0] as { connection_string: string };
    expect(entry.connection_string.replace('6543', '5432')).toBe(direct(v2));
  });

  it('/v1: the project, its pooler, its PgBouncer settings and the pooler’s health', async () => {
    expect(await get(`/v1/projects/${v2}`)).toMatchObject({
      template_version: 'v2',
      database: { host: `db.${v2}.supa.test` },
    });
    expect(await get(`/v1/projects/${v2}/config/database/pooler`)).toEqual([
      expect.objectContaining({
        identifier: v2,
        database_type: 'PRIMARY',
        db_host: `db.${v2}.supa.test`,
        db_port: 6543,
        db_user: 'postgres',
        connection_string: pooled(v2),
        connectionString: pooled(v2),
        is_using_scram_auth: true,
      }),
    ]);
    expect(await get(`/v1/projects/${v2}/config/database/pgbouncer`)).toMatchObject({
      connection_string: pooled(v2),
      pool_mode: 'transaction',
      default_pool_size: 15,
      max_client_conn: 200,
    });
  });

  it('shows the password placeholder, never the password the user chose', async () => {
    for (const path of [
      `/platform/projects/${v2}/config/pgbouncer`,
      `/platform/projects/${v2}/config/supavisor`,
      `/v1/projects/${v2}/config/database/pooler`,
      `/v1/projects/${v2}/config/database/pgbouncer`,
    ]) {
      expect(JSON.stringify(await get(path)), path).not.toContain('chosen-by-me');
    }
  });
});

describe('connection strings of a v1 project (its stack serves no route and no pooler)', () => {
  it('keeps the old strings and reports no pooler', async () => {
    expect(await get(`/platform/projects/${v1}/config/pgbouncer`)).toMatchObject({
      connection_string: `postgresql://postgres:[YOUR-PASSWORD]@db.${v1}.supa.test:5432/postgres`,
      db_port: 5432,
      pgbouncer_enabled: false,
      pgbouncer_status: 'DISABLED',
      ssl_enforced: false,
    });
    expect(await get(`/platform/projects/${v1}/config/supavisor`)).toEqual([]);
    expect(await get(`/v1/projects/${v1}/config/database/pooler`)).toEqual([]);
    expect(await get(`/v1/projects/${v1}/config/database/pgbouncer`)).toEqual({});
    expect(await get(`/v1/projects/${v1}`)).toMatchObject({ template_version: 'v1' });
  });
});
