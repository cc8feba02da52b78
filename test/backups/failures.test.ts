import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestBackup } from '../../src/backups/service.js';
import { auditLog, backups, jobs, projects } from '../../src/db/schema/index.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { CoolifyProvisioner } from '../../src/provisioner/coolify-driver.js';
import { CoolifyClient } from '../../src/coolify/client.js';
import { randomAlnum } from '../../src/secrets/generate.js';
import { startCoolifySim, type CoolifySim } from '../coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { FAST_RUNNER } from '../support/harness.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import { backupDeps, projectOn } from './fixture.js';

let pg: Pg15;
let db: TestDatabase;
let sim: CoolifySim;

beforeAll(async () => {
  pg = await startPg15(randomAlnum(32));
  db = await freshDatabase();
  sim = await startCoolifySim();
});
afterAll(async () => {
  await sim?.close();
  await db?.drop();
  await pg?.stop();
});

describe('a failing backup', () => {
  it('is retried with backoff, ends as a visible FAILED entry, and never touches the project', async () => {
    // A database route where nothing listens: every attempt fails to connect.
    const deps = backupDeps(db, pg, {
      SUPAPLANE_PROJECT_DATABASE_URL: 'postgresql://supabase_admin@127.0.0.1:1/{ref}',
    });
    deps.provisioner = new CoolifyProvisioner(
      new CoolifyClient({
        baseUrl: sim.url,
        token: sim.token,
        timeoutMs: 2000,
        requestsPerMinute: 10_000,
      }),
    );
    const project = await projectOn(deps, pg);
    const backup = await requestBackup(deps, { actor: { id: 'test' }, project });
    const runner = new JobRunner(deps, { ...FAST_RUNNER, workerId: 'w-fail' });
    const seenAttempts = new Set<number>();
    runner.start();
    let row = backup;
    for (let i = 0; i < 300 && row.status === 'PENDING'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      [row] = (await db.db.select().from(backups).where(eq(backups.id, backup.id))) as [typeof row];
      seenAttempts.add(row.attempts);
      // While retrying, the project is what it was: no error on it, still healthy.
      const [p] = await db.db.select().from(projects).where(eq(projects.id, project.id));
      expect(p).toMatchObject({ status: 'ACTIVE_HEALTHY', lastError: null });
    }
    await runner.drain();
    expect(row).toMatchObject({ status: 'FAILED', attempts: 5 });
    expect(row.lastError).toMatch(/cannot connect to the project database 127\.0\.0\.1:1/);
    expect(seenAttempts.size).toBeGreaterThan(2);
    const [job] = await db.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, `backup:${backup.id}`));
    expect(job).toMatchObject({ state: 'succeeded', attempts: 4 });
    const audit = await db.db.select().from(auditLog).where(eq(auditLog.projectId, project.id));
    expect(audit.map((a) => a.action)).toEqual(['backup.requested', 'backup.failed']);
  });
});
