import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { generateProjectSecrets } from '../../src/secrets/generate.js';
import { startUpgradeRig, v1Projects, type UpgradeRig } from './support.js';

let rig: UpgradeRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: rig!.h.env,
    pollMs: 50,
  });
  return { code, out, err };
}

describe('supaplane projects upgrade --all', () => {
  it('upgrades one at a time and stops at the first rollback; the rest stay on v1', async () => {
    rig = await startUpgradeRig();
    // One Postgres for all three: they share its cluster-wide roles, so their secrets too,
    // the passwords an upgrade gives the roles included (the upgrade keeps existing values).
    const shared = {
      ...(await generateProjectSecrets('v2')),
      ...(await generateProjectSecrets('v1')),
    };
    const [a, b, c] = await v1Projects(rig, ['first', 'second', 'third'], shared);
    rig.h.sim.inject({
      method: 'PATCH',
      path: `/services/${b!.coolifyServiceUuid}`,
      kind: '500',
      times: 4,
    });

    const res = await cli(['projects', 'upgrade', '--all', '--json']);
    expect(res.code, res.err).toBe(1);
    expect(JSON.parse(res.out), (await rig.h.project(a!.ref)).lastError ?? '').toEqual([
      { ref: a!.ref, outcome: 'succeeded' },
      { ref: b!.ref, outcome: 'rolled_back' },
      { ref: c!.ref, outcome: 'skipped' },
    ]);
    expect(res.err).toContain('Stopped at the first upgrade that did not succeed');
    expect(res.err).toMatch(new RegExp(`${b!.ref} v1 → v2: rolling back, `));
    const versions = await Promise.all(
      [a, b, c].map(async (p) => (await rig!.h.project(p!.ref)).templateVersion),
    );
    expect(versions).toEqual(['v2', 'v1', 'v1']);
    expect((await rig.h.project(b!.ref)).lastError).toMatch(/failed at step compose/);
  }, 120_000);

  it('one project by ref: exit 0 and the new version', async () => {
    rig = await startUpgradeRig();
    const [p] = await v1Projects(rig, ['single']);
    const res = await cli(['projects', 'upgrade', p!.ref, '--to', 'v2', '--json']);
    expect(res.code, res.err).toBe(0);
    expect(JSON.parse(res.out)).toMatchObject({
      ref: p!.ref,
      outcome: 'succeeded',
      template_version: 'v2',
      status: 'ACTIVE_HEALTHY',
    });
    expect(res.err).toContain(`${p!.ref} v1 → v2: migrate`);
    const usage = await cli(['projects', 'upgrade']);
    expect(usage.code).toBe(2);
  }, 120_000);
});
