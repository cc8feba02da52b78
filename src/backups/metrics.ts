import { and, eq, gt, max, count } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { backups, projects } from '../db/schema/index.js';

/**
 * Backup gauges read from the database at scrape time, so every Supaplane process
 * reports the same numbers whichever of them took the backup.
 */
export function backupMetrics(registry: Registry, db: Db) {
  const lastSuccess = new Gauge({
    name: 'supaplane_backup_last_success_timestamp_seconds',
    help: 'When the newest completed backup of each project finished (Unix seconds)',
    labelNames: ['project'] as const,
    registers: [registry],
  });
  const failures = new Gauge({
    name: 'supaplane_backup_failures',
    help: 'Backups of each project that failed for good in the last 7 days',
    labelNames: ['project'] as const,
    registers: [registry],
  });
  return {
    async read() {
      const week = new Date(Date.now() - 7 * 24 * 3600_000);
      const [done, failed] = await Promise.all([
        db
          .select({ ref: projects.ref, at: max(backups.completedAt) })
          .from(backups)
          .innerJoin(projects, eq(projects.id, backups.projectId))
          .where(eq(backups.status, 'COMPLETED'))
          .groupBy(projects.ref),
        db
          .select({ ref: projects.ref, n: count() })
          .from(backups)
          .innerJoin(projects, eq(projects.id, backups.projectId))
          .where(and(eq(backups.status, 'FAILED'), gt(backups.createdAt, week)))
          .groupBy(projects.ref),
      ]);
      lastSuccess.reset();
      for (const r of done) if (r.at) lastSuccess.set({ project: r.ref }, r.at.getTime() / 1000);
      failures.reset();
      for (const r of failed) failures.set({ project: r.ref }, r.n);
    },
  };
}
