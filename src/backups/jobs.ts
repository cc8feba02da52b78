import { eq } from 'drizzle-orm';
import { auditLog, backups, projects } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { done, wait, type JobHandler } from '../jobs/handlers/types.js';
import { recordCoolifyAction } from '../reconciler/freshness.js';
import { transition } from '../projects/transitions.js';
import { markBackupFailed, runBackup } from './create.js';
import { restoreBackup } from './restore.js';

/**
 * Takes one backup (row `payload.backupId`). A failure is retried with the runner's
 * backoff and recorded on the backup row, never on the project; after the last attempt
 * (or at once for a failure no retry can fix, such as a v1 stack or a missing pg_dump)
 * the backup is FAILED, with an audit row, and the project carries on untouched.
 */
export const backupHandler: JobHandler = {
  failure: { while: [], to: 'ACTIVE_HEALTHY' },
  waitBudgetMs: 0,
  ownsProject: false,
  async run({ deps, job, project }) {
    const [backup] = await deps.db
      .select()
      .from(backups)
      .where(eq(backups.id, Number(job.payload.backupId)));
    if (!backup || backup.status !== 'PENDING') return done;
    try {
      await runBackup(deps, project, backup);
      await deps.db.insert(auditLog).values({
        actor: backup.actor,
        action: 'backup.completed',
        organizationId: project.organizationId,
        projectId: project.id,
        detail: { backupId: backup.id, kind: backup.kind },
      });
    } catch (err) {
      const message = (err as Error).message;
      if (!(err instanceof AppError) && job.attempts + 1 < job.maxAttempts) throw err;
      await markBackupFailed(deps, backup.id, message);
      await deps.db.insert(auditLog).values({
        actor: backup.actor,
        action: 'backup.failed',
        organizationId: project.organizationId,
        projectId: project.id,
        detail: { backupId: backup.id, kind: backup.kind, error: message },
      });
    }
    return done;
  },
};

/**
 * Restores `payload.backupId` into the job's project, which is RESTORING. The database
 * is replaced (the previous one kept until pg_restore succeeded), then the stack is
 * restarted through Coolify so every service reconnects to the new database, and the
 * reconciler takes the project from RESTARTING to ACTIVE_HEALTHY as after any restart.
 * A failure lands the project in RESTORE_FAILED with the error, its data unchanged.
 */
export const backupRestoreHandler: JobHandler = {
  failure: { while: ['RESTORING'], to: 'RESTORE_FAILED' },
  waitBudgetMs: 0,
  async run({ deps, provisioner, job, project, remember }) {
    if (project.status !== 'RESTORING') return done;
    const [backup] = await deps.db
      .select()
      .from(backups)
      .where(eq(backups.id, Number(job.payload.backupId)));
    if (!backup)
      throw new AppError('not_found', `backup ${String(job.payload.backupId)} not found`);
    if (!job.payload.restored) {
      await restoreBackup(deps, backup, {
        into: backup.projectId === project.id ? 'same' : { project },
      });
      // A retry after the swap (e.g. Coolify was down) must not restore a second time.
      await remember({ restored: true });
    }
    if (!project.coolifyServiceUuid)
      throw new AppError('precondition', `project ${project.ref} has no Coolify service`);
    await deps.db.transaction(async (tx) => {
      const [current] = await tx.select().from(projects).where(eq(projects.id, project.id));
      await transition(tx, current!, {
        to: 'RESTARTING',
        from: ['RESTORING'],
        actor: 'system',
        action: 'backup.restored',
        error: null,
        detail: { backupId: backup.id },
      });
    });
    await recordCoolifyAction(deps.db, project.id, 'restart');
    await provisioner.restart(project.coolifyServiceUuid);
    return done;
  },
};

/** Where waiting for a new project ends: it will never come up, or is gone. */
const GIVE_UP = ['INIT_FAILED', 'GOING_DOWN', 'REMOVED'];

/**
 * A restore into a new project: waits, like init-sql and without owning the project,
 * until the new stack is healthy, then hands over to `backup-restore` (status RESTORING).
 */
export const backupRestoreWhenUpHandler: JobHandler = {
  failure: { while: [], to: 'ACTIVE_UNHEALTHY' },
  waitBudgetMs: 30 * 60_000,
  ownsProject: false,
  async run({ deps, job, project }) {
    if (GIVE_UP.includes(project.status)) return done;
    if (project.status !== 'ACTIVE_HEALTHY') return wait(2_000, 'the new project is not up yet');
    const backupId = Number(job.payload.backupId);
    await deps.db.transaction((tx) =>
      transition(tx, project, {
        to: 'RESTORING',
        from: ['ACTIVE_HEALTHY'],
        actor: String(job.payload.actor ?? 'system'),
        action: 'backup.restore',
        detail: { backupId, fromProject: job.payload.fromProject },
        job: {
          id: `backup-restore:${project.ref}:${backupId}`,
          kind: 'backup-restore',
          projectId: project.id,
          payload: { backupId },
          maxAttempts: 3,
        },
      }),
    );
    deps.wakeJobs?.();
    return done;
  },
};
