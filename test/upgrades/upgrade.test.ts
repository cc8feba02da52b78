import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { backups } from '../../src/db/schema/index.js';
import { loadTemplate, secretKeysFor } from '../../src/provisioner/template.js';
import { changedFiles } from '../../src/upgrades/compose.js';
import { startUpgrade } from '../../src/upgrades/service.js';
import {
  actor,
  auditActions,
  upgraded,
  databaseFacts,
  secretsOf,
  startUpgradeRig,
  v1Projects,
  writeCanary,
  type UpgradeRig,
} from './support.js';

let rig: UpgradeRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const KONG_CONFIG = '/home/kong/temp.yml';
async function inlineFile(version: string, target: string): Promise<string> {
  const text = await loadTemplate(version);
  const { parse } = await import('yaml');
  const doc = parse(text) as {
    services: Record<string, { volumes?: { target?: string; content?: string }[] }>;
  };
  for (const svc of Object.values(doc.services))
    for (const v of svc.volumes ?? [])
      if (typeof v === 'object' && v.target === target) return v.content!;
  throw new Error(`no ${target} in ${version}`);
}

describe('upgrade v1 → v2 (simulator + real Postgres 15)', () => {
  it('ends ACTIVE_HEALTHY on v2, Postgres 15 kept, migration applied, every step audited', async () => {
    rig = await startUpgradeRig();
    const { h } = rig;
    const [p] = await v1Projects(rig, ['Upgrade me']);
    const before = await secretsOf(h, p!);
    await writeCanary(rig, before);
    const v1Facts = await databaseFacts(rig, before);
    expect(v1Facts.jwtSecret).toBe(before.JWT_SECRET); // v1's 99-jwt.sql put it there (C1)

    const { job } = await startUpgrade(h.deps, { actor, input: { ref: p!.ref } });
    expect((await h.project(p!.ref)).status).toBe('UPGRADING');
    const done = await upgraded(h, p!.ref);
    expect(done).toMatchObject({
      status: 'ACTIVE_HEALTHY',
      templateVersion: 'v2',
      postgresImage: 'supabase/postgres:15.8.1.085',
      lastError: null,
    });

    // Coolify runs v2's stack around the 15 image, with v2's files and label setting.
    const svc = h.sim.state.services.get(done.coolifyServiceUuid!)!;
    expect(svc.compose).toContain('image: supabase/postgres:15.8.1.085');
    expect(svc.compose).not.toContain('supabase/postgres:17');
    expect(svc.compose).toContain('image: supabase/gotrue:v2.196.0');
    expect(svc.is_container_label_escape_enabled).toBe(false);
    expect(h.sim.hostFile(svc.uuid, 'supabase-kong', KONG_CONFIG)).toBe(
      await inlineFile('v2', KONG_CONFIG),
    );
    expect(changedFiles(await loadTemplate('v1'), await loadTemplate('v2'))).toContain(KONG_CONFIG);
    const env = h.sim.envOf(svc.uuid);
    const after = await secretsOf(h, p!);
    expect(env.AUTHENTICATOR_PASSWORD).toBe(after.AUTHENTICATOR_PASSWORD);
    expect(env).not.toHaveProperty('DASHBOARD_PASSWORD');
    expect(Object.keys(after).sort()).toEqual([...secretKeysFor('v2')].sort());
    expect(after.JWT_SECRET).toBe(before.JWT_SECRET);
    expect(after.SUPABASE_ANON_KEY).toBe(before.SUPABASE_ANON_KEY);

    // The migration ran against the project's database.
    const facts = await databaseFacts(rig, after);
    expect(facts).toMatchObject({
      jwtSecret: null,
      adminLogsInWith: 'SUPABASE_ADMIN_PASSWORD',
      authenticatorOld: false,
      authenticatorNew: true,
      authAdminNew: true,
      storageAdminNew: true,
      pgbouncerOld: false,
      canary: ['1:before', '2:upgrade'],
    });
    for (const pass of [
      after.AUTHENTICATOR_PASSWORD,
      after.AUTH_ADMIN_PASSWORD,
      after.SUPABASE_ADMIN_PASSWORD,
    ])
      expect(pass).not.toBe(before.POSTGRES_PASSWORD);

    const [backup] = await h.db.db.select().from(backups).where(eq(backups.projectId, p!.id));
    expect(backup).toMatchObject({ kind: 'pre_upgrade', status: 'COMPLETED' });
    expect(await auditActions(h, p!)).toEqual(
      expect.arrayContaining([
        'project.upgrade.started',
        ...['backup', 'secrets', 'stop', 'compose', 'env', 'start', 'await-db']
          .concat(['deferred-backup', 'migrate', 'await-healthy'])
          .map((s) => `project.upgrade.step:${s}`),
        'project.upgrade.succeeded',
      ]),
    );
    const [row] = await h.db.sql`select state from jobs where id = ${job.id}`;
    expect(row).toEqual({ state: 'succeeded' });
  }, 60_000);

  it('v2 never healthy: rolled back to v1, ACTIVE_HEALTHY, data and database as before, error shown', async () => {
    rig = await startUpgradeRig();
    const { h } = rig;
    const [p] = await v1Projects(rig, ['Never healthy']);
    const before = await secretsOf(h, p!);
    await writeCanary(rig, before);
    const v1Facts = await databaseFacts(rig, before);
    h.sim.failImage('supabase/gotrue:v2.196.0', true);

    await startUpgrade(h.deps, { actor, input: { ref: p!.ref, to: 'v2' } });
    const back = await upgraded(h, p!.ref);
    expect(back.status).toBe('ACTIVE_HEALTHY');
    expect(back.templateVersion).toBe('v1');
    expect(back.postgresImage).toBeNull();
    expect(back.lastError).toMatch(/failed at step await-healthy: a healthy stack not within 3 s/);
    expect(back.lastError).toMatch(/rolled back to v1/);

    const svc = h.sim.state.services.get(back.coolifyServiceUuid!)!;
    expect(svc.compose).toContain('image: supabase/gotrue:v2.186.0');
    expect(svc.is_container_label_escape_enabled).toBe(true);
    expect(h.sim.hostFile(svc.uuid, 'supabase-kong', KONG_CONFIG)).toBe(
      await inlineFile('v1', KONG_CONFIG),
    );
    const env = h.sim.envOf(svc.uuid);
    expect(env.DASHBOARD_PASSWORD).toBe(before.DASHBOARD_PASSWORD);
    expect(env).not.toHaveProperty('AUTHENTICATOR_PASSWORD');
    expect(await secretsOf(h, p!)).toEqual(before);
    // The migration had committed; its inverse put v1's setting and passwords back.
    expect(await databaseFacts(rig, before)).toEqual(v1Facts);
    expect(await auditActions(h, p!)).toEqual(
      expect.arrayContaining([
        'project.upgrade.step:migrate',
        'project.upgrade.failed:await-healthy',
        'project.upgrade.rollback_step:unmigrate',
        'project.upgrade.rollback_step:compose',
        'project.upgrade.rolled_back',
      ]),
    );
  }, 60_000);
});
