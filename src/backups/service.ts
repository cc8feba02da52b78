import { randomUUID } from 'node:crypto';
import { and, desc, eq, ne } from 'drizzle-orm';
import type { Deps } from '../context.js';
import {
  auditLog,
  backups,
  RUNNING_STATUSES,
  type Backup,
  type Project,
} from '../db/schema/index.js';
import { AppError, conflict, notFound } from '../errors.js';
import { enqueue } from '../jobs/queue.js';
import { createProject, type Actor } from '../projects/projects.js';
import { transition } from '../projects/transitions.js';

/**
 * The verbs every transport calls (Studio, /v1, the CLI). Long work runs as jobs:
 * a backup or a restore requested here is durable and survives a restart.
 */

/** A project's backups, newest first (removed ones are gone from the list). */
export async function listBackups(deps: Pick<Deps, 'db'>, project: Project): Promise<Backup[]> {
  return deps.db
    .select()
    .from(backups)
    .where(and(eq(backups.projectId, project.id), ne(backups.status, 'REMOVED')))
    .orderBy(desc(backups.createdAt), desc(backups.id));
}

export async function getBackup(
  deps: Pick<Deps, 'db'>,
  project: Project,
  backupId: number,
): Promise<Backup> {
  const [row] = Number.isSafeInteger(backupId)
    ? await deps.db
        .select()
        .from(backups)
        .where(and(eq(backups.id, backupId), eq(backups.projectId, project.id)))
    : [];
  if (!row || row.status === 'REMOVED') throw notFound(`Backup ${backupId}`);
  return row;
}

function requireRunning(project: Project, verb: string) {
  if (!RUNNING_STATUSES.includes(project.status))
    throw conflict(`Project ${project.ref} is ${project.status}: it must be running to ${verb}`);
}

/** Queues an on-demand (or pre-upgrade) backup; it runs in the background. */
export async function requestBackup(
  deps: Deps,
  { actor, project, kind = 'manual' }: { actor: Actor; project: Project; kind?: Backup['kind'] },
): Promise<Backup> {
  requireRunning(project, 'be backed up');
  const backup = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(backups)
      .values({
        projectId: project.id,
        kind,
        actor: actor.id,
        templateVersion: project.templateVersion,
      })
      .returning();
    await enqueue(tx, {
      id: `backup:${row!.id}`,
      kind: 'backup',
      projectId: project.id,
      payload: { backupId: row!.id },
      maxAttempts: 5,
    });
    await tx.insert(auditLog).values({
      actor: actor.id,
      action: 'backup.requested',
      organizationId: project.organizationId,
      projectId: project.id,
      detail: { backupId: row!.id, kind },
    });
    return row!;
  });
  deps.wakeJobs?.();
  return backup;
}

export type RestoreTarget = 'same' | { newProjectName: string };

/**
 * Restores a completed backup: into its own project (RESTORING at once), or into a new
 * project of the same organization, created now and restored once it is up.
 * Returns the project being restored.
 */
export async function requestRestore(
  deps: Deps,
  {
    actor,
    project,
    backupId,
    into = 'same',
  }: { actor: Actor; project: Project; backupId: number; into?: RestoreTarget },
): Promise<Project> {
  const backup = await getBackup(deps, project, backupId);
  if (backup.status !== 'COMPLETED')
    throw new AppError(
      'conflict',
      `Backup ${backupId} is ${backup.status.toLowerCase()}: only completed backups can be restored`,
    );
  if (into !== 'same') {
    const target = await createProject(deps, {
      actor,
      input: {
        name: into.newProjectName,
        organizationId: project.organizationId,
        serverUuid: project.serverUuid,
      },
    });
    await enqueue(deps.db, {
      id: `backup-restore-when-up:${target.ref}`,
      kind: 'backup-restore-when-up',
      projectId: target.id,
      payload: { backupId, actor: actor.id, fromProject: project.ref },
    });
    deps.wakeJobs?.();
    return target;
  }
  requireRunning(project, 'be restored');
  const moved = await deps.db.transaction((tx) =>
    transition(tx, project, {
      to: 'RESTORING',
      from: RUNNING_STATUSES,
      actor: actor.id,
      action: 'backup.restore',
      error: null,
      detail: { backupId },
      job: {
        id: `backup-restore:${project.ref}:${backupId}:${randomUUID().slice(0, 8)}`,
        kind: 'backup-restore',
        projectId: project.id,
        payload: { backupId },
        maxAttempts: 3,
      },
    }),
  );
  if (!moved) throw conflict(`Project ${project.ref} changed state; try again`);
  deps.wakeJobs?.();
  return moved;
}
