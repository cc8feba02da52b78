import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPolicy, spreadTimeOfDay } from '../../src/backups/policy.js';
import { scheduleDueBackups } from '../../src/backups/schedule.js';
import { drizzle } from 'drizzle-orm/postgres-js';
import * as schema from '../../src/db/schema/index.js';
import { backups, jobs, organizations, projects } from '../../src/db/schema/index.js';
import { JobRunner } from '../../src/jobs/runner.js';
import { CoolifyProvisioner } from '../../src/provisioner/coolify-driver.js';
import { CoolifyClient } from '../../src/coolify/client.js';
import { randomAlnum } from '../../src/secrets/generate.js';
import { startCoolifySim, type CoolifySim } from '../coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { FAST_RUNNER } from '../support/harness.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import { backupDeps, newRef, projectOn, seedProjectDatabase } from './fixture.js';

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

const at = (iso: string) => new Date(iso);

describe('the daily schedule (injected clock)', () => {
  it('takes each project its backup once a day at its own time of day', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await setPolicy(deps, { projectId: project.id }, { timeOfDayMinutes: 3 * 60 + 30 });
    const rows = () => db.db.select().from(backups).where(eq(backups.projectId, project.id));

    expect(await scheduleDueBackups(deps, at('2026-03-01T03:29:00Z'))).toBe(0);
    expect(await rows()).toHaveLength(0);
    await scheduleDueBackups(deps, at('2026-03-01T03:30:00Z'));
    await scheduleDueBackups(deps, at('2026-03-01T17:00:00Z'));
    expect((await rows()).map((r) => r.scheduledFor)).toEqual(['2026-03-01']);
    await scheduleDueBackups(deps, at('2026-03-02T03:00:00Z'));
    expect(await rows()).toHaveLength(1);
    await scheduleDueBackups(deps, at('2026-03-02T03:31:00Z'));
    expect((await rows()).map((r) => r.scheduledFor).sort()).toEqual(['2026-03-01', '2026-03-02']);
  });

  it('spreads projects without a setting over the day, and an organization may turn it off', async () => {
    const spread = new Set(Array.from({ length: 50 }, (_, i) => spreadTimeOfDay(`ref${i}`)));
    expect(spread.size).toBeGreaterThan(40);
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await setPolicy(deps, { organizationId: project.organizationId }, { enabled: false });
    await scheduleDueBackups(deps, at('2026-03-01T23:59:00Z'));
    expect(await db.db.select().from(backups).where(eq(backups.projectId, project.id))).toEqual([]);
    await setPolicy(deps, { projectId: project.id }, { enabled: true });
    await scheduleDueBackups(deps, at('2026-03-01T23:59:00Z'));
    expect(
      await db.db.select().from(backups).where(eq(backups.projectId, project.id)),
    ).toHaveLength(1);
  });

  it('reads the database once a pass, however many projects there are', async () => {
    const own = await freshDatabase();
    try {
      let queries = 0;
      const counted = drizzle(own.sql, { schema, logger: { logQuery: () => void queries++ } });
      const deps = { ...backupDeps(own, pg), db: counted };
      const [org] = await own.db
        .insert(organizations)
        .values({ slug: 'many-projects', name: 'Many' })
        .returning();
      await own.db.insert(projects).values(
        Array.from({ length: 40 }, (_, i) => ({
          ref: newRef(),
          name: `p${i}`,
          organizationId: org!.id,
          status: 'ACTIVE_HEALTHY' as const,
          serverUuid: 'server-1',
          templateVersion: 'v2',
        })),
      );
      await setPolicy(deps, { organizationId: org!.id }, { timeOfDayMinutes: 600 });
      queries = 0;
      expect(await scheduleDueBackups(deps, at('2026-04-01T09:59:00Z'))).toBe(0);
      expect(queries).toBe(1);
      expect(await scheduleDueBackups(deps, at('2026-04-01T10:00:00Z'))).toBe(40);
      queries = 0;
      expect(await scheduleDueBackups(deps, at('2026-04-01T10:05:00Z'))).toBe(0);
      expect(queries).toBe(1);
    } finally {
      await own.drop();
    }
  });

  it('two Supaplane processes take each scheduled backup once', async () => {
    const depsA = backupDeps(db, pg);
    const depsB = { ...backupDeps(db, pg), config: { ...depsA.config } };
    const project = await projectOn(depsA, pg);
    await seedProjectDatabase(pg, project.ref);
    await setPolicy(depsA, { projectId: project.id }, { timeOfDayMinutes: 60 });
    const provisioner = () =>
      new CoolifyProvisioner(
        new CoolifyClient({
          baseUrl: sim.url,
          token: sim.token,
          timeoutMs: 2000,
          requestsPerMinute: 10_000,
        }),
      );
    const runners = [depsA, depsB].map((d) => {
      d.provisioner = provisioner();
      return new JobRunner(d, { ...FAST_RUNNER, workerId: `w-${randomAlnum(6)}` });
    });
    // Both processes run the schedule at the same instants, concurrently.
    for (const t of ['2026-03-05T01:00:00Z', '2026-03-05T01:01:00Z', '2026-03-06T01:00:00Z']) {
      await Promise.all([scheduleDueBackups(depsA, at(t)), scheduleDueBackups(depsB, at(t))]);
    }
    for (const r of runners) r.start();
    const deadline = Date.now() + 60_000;
    let rows = await db.db.select().from(backups).where(eq(backups.projectId, project.id));
    while (rows.some((r) => r.status === 'PENDING') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      rows = await db.db.select().from(backups).where(eq(backups.projectId, project.id));
    }
    await Promise.all(runners.map((r) => r.drain()));
    expect(rows.map((r) => [r.scheduledFor, r.status, r.attempts]).sort()).toEqual([
      ['2026-03-05', 'COMPLETED', 1],
      ['2026-03-06', 'COMPLETED', 1],
    ]);
    const ran = await db.db.select().from(jobs).where(eq(jobs.projectId, project.id));
    expect(ran.map((j) => j.state)).toEqual(['succeeded', 'succeeded']);
  });
});
