import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../src/db/schema/index.js';
import { generateProjectSecrets } from '../../src/secrets/generate.js';
import { startUpgrade } from '../../src/upgrades/service.js';
import {
  actor,
  auditActions,
  upgraded,
  databaseFacts,
  startUpgradeRig,
  v1Projects,
  type UpgradeRig,
} from './support.js';

// A failure injected at each step ends with the project on v1, ACTIVE_HEALTHY, the error on
// it. Coolify faults are 500s, retried by the step and then given up on (4 tries,
// src/upgrades/job.ts FORWARD_TRIES), so exactly 4 are injected: the rollback's own calls
// to the same route then succeed. The projects share one Postgres 15 (and so its roles and
// secrets); each rollback puts the roles back, so the next case starts from v1 again.

let rig: UpgradeRig;
let projects: Project[];
const secrets = await generateProjectSecrets('v1');

const COOLIFY_STEPS = [
  { step: 'stop', method: 'POST', path: '/services/:uuid/stop' },
  { step: 'compose', method: 'PATCH', path: '/services/:uuid' },
  { step: 'env', method: 'PATCH', path: '/services/:uuid/envs/bulk' },
  { step: 'start', method: 'POST', path: '/services/:uuid/start' },
] as const;

beforeAll(async () => {
  rig = await startUpgradeRig();
  projects = await v1Projects(rig, [...COOLIFY_STEPS.map((s) => s.step), 'migrate'], secrets);
}, 120_000);
afterAll(async () => rig?.close());

async function expectRolledBack(p: Project, step: string, error: RegExp) {
  const back = await upgraded(rig.h, p.ref);
  expect(back.status).toBe('ACTIVE_HEALTHY');
  expect(back.templateVersion).toBe('v1');
  expect(back.lastError).toMatch(new RegExp(`failed at step ${step}: `));
  expect(back.lastError).toMatch(error);
  const svc = rig.h.sim.state.services.get(back.coolifyServiceUuid!)!;
  expect(svc.compose).toContain('image: supabase/gotrue:v2.186.0');
  expect(rig.h.sim.envOf(svc.uuid)).not.toHaveProperty('AUTHENTICATOR_PASSWORD');
  expect(await auditActions(rig.h, p)).toEqual(
    expect.arrayContaining([`project.upgrade.failed:${step}`, 'project.upgrade.rolled_back']),
  );
  expect(await databaseFacts(rig, secrets)).toMatchObject({
    jwtSecret: secrets.JWT_SECRET,
    adminLogsInWith: 'POSTGRES_PASSWORD',
    authenticatorOld: true,
  });
}

describe('a failure at each upgrade step rolls back to v1', () => {
  COOLIFY_STEPS.forEach(({ step, method, path }, i) => {
    it(`${step}: ${method} ${path} answers 500`, async () => {
      const p = projects[i]!;
      const stack = p.coolifyServiceUuid!;
      rig.h.sim.inject({ method, path: path.replace(':uuid', stack), kind: '500', times: 4 });
      await startUpgrade(rig.h.deps, { actor, input: { ref: p.ref } });
      await expectRolledBack(p, step, /500/);
    }, 60_000);
  });

  it('migrate: the SQL fails (a role it changes is missing); nothing of it stays', async () => {
    const p = projects.at(-1)!;
    const sql = rig.db.connect('supabase_admin', secrets.POSTGRES_PASSWORD);
    // The image makes pgbouncer own its schema (pgbouncer_auth_schema.sql): drop that first.
    await sql`reassign owned by pgbouncer to supabase_admin`;
    await sql`drop owned by pgbouncer`;
    await sql`drop role pgbouncer`;
    await sql.end();
    await startUpgrade(rig.h.deps, { actor, input: { ref: p.ref } });
    await expectRolledBack(
      p,
      'migrate',
      /upgrade-from-v1\.sql failed.*role "pgbouncer" does not exist/s,
    );
  }, 60_000);

  it('backup: pg_dump cannot run; nothing was touched, Coolify never asked', async () => {
    const other = await startUpgradeRig({ SUPAPLANE_PG_BIN_DIR: '/nonexistent/{major}' });
    try {
      const [p] = await v1Projects(other, ['no backup']);
      other.h.sim.resetCalls();
      await startUpgrade(other.h.deps, { actor, input: { ref: p!.ref } });
      const back = await upgraded(other.h, p!.ref);
      expect(back.status).toBe('ACTIVE_HEALTHY');
      expect(back.templateVersion).toBe('v1');
      expect(back.lastError).toMatch(
        /failed at step backup: pg_dump for Postgres 15 is not installed/,
      );
      expect(other.h.sim.calls.filter((c) => c.method !== 'GET')).toEqual([]);
    } finally {
      await other.close();
    }
  }, 60_000);
});
