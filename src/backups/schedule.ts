import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { backups, projects, RUNNING_STATUSES } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import { resolvePolicy, withPolicies } from './policy.js';

/**
 * One pass of the daily schedule at `now` (injected, so tests drive the clock): every
 * running project whose time of day has come gets today's scheduled backup, once. The
 * row is unique per project and UTC day (backups_scheduled_once_idx) and its job id is
 * the row's, so any number of Supaplane processes running this take each backup once.
 * Returns how many backups this pass created.
 */
export async function scheduleDueBackups(deps: Deps, now: Date = new Date()): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
  // One read per pass, whatever the number of projects: running projects without
  // today's backup yet, each with its own and its organization's policy. The pass runs
  // every minute in every process; a lookup per project made it thousands of queries.
  const rows = await withPolicies(deps.db, {
    id: projects.id,
    ref: projects.ref,
    templateVersion: projects.templateVersion,
  }).where(
    and(
      inArray(projects.status, [...RUNNING_STATUSES]),
      notExists(
        deps.db
          .select({ one: sql`1` })
          .from(backups)
          .where(
            and(
              eq(backups.projectId, projects.id),
              eq(backups.kind, 'scheduled'),
              eq(backups.scheduledFor, day),
            ),
          ),
      ),
    ),
  );
  const candidates = rows.flatMap(({ project, own, org }) => {
    const policy = resolvePolicy(deps.config, project.ref, own, org);
    return policy.enabled && minutes >= policy.timeOfDayMinutes ? [project] : [];
  });
  let created = 0;
  for (const project of candidates) {
    const fresh = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(backups)
        .values({
          projectId: project.id,
          kind: 'scheduled',
          scheduledFor: day,
          actor: 'schedule',
          templateVersion: project.templateVersion,
        })
        .onConflictDoNothing()
        .returning({ id: backups.id });
      if (!row) return false;
      await enqueue(tx, {
        id: `backup:${row.id}`,
        kind: 'backup',
        projectId: project.id,
        payload: { backupId: row.id },
        maxAttempts: 5,
      });
      return true;
    });
    if (fresh) created++;
  }
  if (created) deps.wakeJobs?.();
  return created;
}

/** Runs the schedule every `intervalMs` until stopped; a failed pass is logged and retried. */
export function startBackupSchedule(
  deps: Deps,
  intervalMs: number,
  clock: () => Date = () => new Date(),
) {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = scheduleDueBackups(deps, clock()).catch((err: Error) =>
      deps.log.warn({ err: err.message }, 'backup schedule pass failed'),
    );
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
