import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createProject } from '../../src/projects/projects.js';
import type { SimOptions } from '../coolify-sim/index.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from './api.js';
import { withDatabase } from './global-setup.js';
import { startPgMeta, type PgMeta } from './pg-meta.js';
import { startTestGateway, type TestGateway } from './test-gateway.js';

/**
 * The API harness with projects that have a database behind their gateway: the
 * test gateway sends `/pg/*` to the real postgres-meta (on one empty database
 * shared by the file's projects) and everything else to the Coolify simulator.
 */
export interface V1Env {
  h: ApiHarness;
  gateway: TestGateway;
  pgMeta: PgMeta;
  /** A connection to the projects' database, to check what SQL did. */
  projectSql: postgres.Sql;
  /** A project created through the service and brought up by the simulator. */
  activeProject(name?: string, organizationId?: number): Promise<string>;
  /** A personal access token for `user`, made through Studio's route. */
  pat(user: SignedInUser): Promise<string>;
  close(): Promise<void>;
}

export async function startV1Env(
  env: Record<string, string> = {},
  sim: SimOptions = {},
): Promise<V1Env> {
  const gateway = await startTestGateway();
  const h = await startApiHarness({
    env: { SUPAPLANE_GATEWAY_URL: gateway.template, ...env },
    sim,
  });
  const server = inject('pgUrl');
  const name = `v1_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  // Roles are per server; another test file may be creating it at the same moment.
  await admin.unsafe(
    `do $$ begin create role supabase_read_only_user nologin; exception when duplicate_object or unique_violation then null; end $$`,
  );
  await admin.end();
  const projectUrl = withDatabase(server, name);
  const projectSql = postgres(projectUrl, { max: 2, onnotice: () => {} });
  // Role grants are per server too: a concurrent identical grant may fail harmlessly.
  await projectSql.unsafe(
    `do $$ begin grant pg_read_all_data to supabase_read_only_user; exception when others then null; end $$`,
  );
  const pgMeta = await startPgMeta(projectUrl);
  gateway.attach({
    db: h.db.db,
    keyring: h.deps.keyring,
    pgMetaUrl: pgMeta.url,
    fallbackTemplate: h.sim.gatewayUrlTemplate,
  });
  return {
    h,
    gateway,
    pgMeta,
    projectSql,
    async activeProject(projectName = 'V1 project', organizationId = h.org.id) {
      const p = await createProject(h.deps, {
        actor: { id: 'test' },
        input: { organizationId, name: projectName },
      });
      await h.settle(p.ref, 'ACTIVE_HEALTHY');
      return p.ref;
    },
    async pat(user) {
      const res = await h.call('POST', '/platform/profile/access-tokens', {
        as: user,
        body: { name: 'test' },
      });
      if (res.status !== 201) throw new Error(`PAT create failed: ${JSON.stringify(res.body)}`);
      return (res.body as { token: string }).token;
    },
    async close() {
      await pgMeta.close();
      await projectSql.end();
      await h.close();
      await gateway.close();
      const a = postgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
