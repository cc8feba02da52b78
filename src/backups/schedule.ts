import { inArray } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { backups, projects, RUNNING_STATUSES } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import { effectivePolicy } from './policy.js';

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
  const candidates = await deps.db
    .select()
    .from(projects)
    .where(inArray(projects.status, [...RUNNING_STATUSES]));
  let created = 0;
  for (const project of candidates) {
    const policy = await effectivePolicy(deps, project.id);
    if (!policy.enabled || minutes < policy.timeOfDayMinutes) continue;
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
