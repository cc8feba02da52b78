import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { randomAlnum } from '../../src/secrets/generate.js';
import { startCoolifySim, type CoolifySim } from '../coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import { backupDeps, KNOWN_SCHEMA_MARKER, projectOn, seedProjectDatabase } from './fixture.js';

let sim: CoolifySim;
let db: TestDatabase;
let pg: Pg15;
let env: Record<string, string>;
let dataDir: string;

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    lookup: async () => ['127.0.0.1'],
    pollMs: 40,
  });
  return { code, out, err };
}

beforeAll(async () => {
  sim = await startCoolifySim();
  db = await freshDatabase();
  pg = await startPg15(randomAlnum(32));
  dataDir = mkdtempSync(path.join(tmpdir(), 'supaplane-cli-'));
  env = {
    DATABASE_URL: db.url,
    SUPAPLANE_ENCRYPTION_KEY: backupDeps(db, pg).config.SUPAPLANE_ENCRYPTION_KEY!,
    COOLIFY_URL: sim.url,
    COOLIFY_TOKEN: sim.token,
    COOLIFY_SERVER_UUIDS: sim.state.servers[0]!.uuid,
    SUPAPLANE_PROJECT_DOMAIN: 'projects.example.com',
    SUPAPLANE_JOB_POLL_MS: '20',
    SUPAPLANE_DATA_DIR: dataDir,
    SUPAPLANE_PROJECT_DATABASE_URL: `postgresql://supabase_admin@127.0.0.1:${pg.port}/{ref}`,
  };
});
afterAll(async () => {
  await db?.drop();
  await pg?.stop();
  await sim?.close();
});

describe('supaplane backups', () => {
  it('create (with progress), list, download, and restore asks for --yes', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);

    const created = await cli(['backups', 'create', project.ref]);
    expect(created.err).toMatch(new RegExp(`Backing up ${project.ref} \\(backup \\d+\\)`));
    expect(created.err).toMatch(/✔ backup \d+: [\d.]+ MB in [\d.]+s, sha256 [0-9a-f]{64}/);
    expect(created.code).toBe(0);
    const id = Number(created.out.trim().split(' ')[0]);

    const listed = await cli(['backups', 'list', project.ref, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject([
      {
        id,
        kind: 'manual',
        status: 'COMPLETED',
        template_version: 'v2',
        postgres_version: expect.stringMatching(/^15\./),
      },
    ]);

    const out = path.join(dataDir, 'out.dump');
    const downloaded = await cli(['backups', 'download', project.ref, String(id), '--out', out]);
    expect(downloaded.code).toBe(0);
    const dump = readFileSync(out);
    expect(dump.subarray(0, 5).toString()).toBe('PGDMP');
    expect(dump.includes(KNOWN_SCHEMA_MARKER)).toBe(true);

    const scheduled = await cli([
      'backups',
      'schedule',
      project.ref,
      '--at',
      '04:15',
      '--keep',
      '3',
    ]);
    expect(scheduled.out.trim()).toBe(`${project.ref}: daily backups on at 04:15 UTC, last 3 kept`);
    expect((await cli(['backups', 'schedule', project.ref, '--at', '25:00'])).code).toBe(2);

    const unconfirmed = await cli(['backups', 'restore', project.ref, String(id)]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err).toMatch(/add --yes to confirm/);
  });

  it('a v1 project on the default route fails with a readable error instead of pretending', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg, { templateVersion: 'v1' });
    const noRoute = { ...env };
    delete noRoute.SUPAPLANE_PROJECT_DATABASE_URL;
    const saved = env;
    env = noRoute;
    try {
      const res = await cli(['backups', 'create', project.ref]);
      expect(res.code).toBe(1);
      expect(res.err).toMatch(
        /✘ backup \d+ failed: project \w+ runs template v1, whose stack publishes no database port/,
      );
      const listed = await cli(['backups', 'list', project.ref, '--json']);
      expect(JSON.parse(listed.out)).toMatchObject([
        { status: 'FAILED', error: expect.stringMatching(/upgrade it to v2/) },
      ]);
      // The earlier test's backup succeeded; this one failed.
      const scrape = await createMetrics({ db: db.db }).render();
      expect(scrape).toContain(`supaplane_backup_failures{project="${project.ref}"} 1`);
      expect(scrape).toMatch(
        /supaplane_backup_last_success_timestamp_seconds\{project="[a-z]{20}"\} \d+/,
      );
    } finally {
      env = saved;
    }
  });
});
