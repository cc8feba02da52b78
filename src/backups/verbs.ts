import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Backup, Project } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { requireProject } from '../members/access.js';
import { decryptedDump, fetchVerified } from './read.js';
import {
  getBackup,
  listBackups,
  requestBackup,
  requestRestore,
  type RestoreTarget,
} from './service.js';

/**
 * The backup verbs as transports call them, `(deps, { actor, input })`: reading needs a
 * member, taking a backup write access, restoring or downloading (all of the data) admin.
 */
type Call<I> = { actor: Principal; input: I };

export async function listProjectBackups(deps: Deps, { actor, input }: Call<{ ref: string }>) {
  const { project } = await requireProject(deps, actor, input.ref, 'read');
  return { project, backups: await listBackups(deps, project) };
}

export async function createProjectBackup(deps: Deps, { actor, input }: Call<{ ref: string }>) {
  const { project } = await requireProject(deps, actor, input.ref, 'write');
  return requestBackup(deps, { actor: { id: actor.userId }, project, kind: 'manual' });
}

export async function restoreProjectBackup(
  deps: Deps,
  { actor, input }: Call<{ ref: string; backupId: number; into?: RestoreTarget }>,
): Promise<Project> {
  const { project } = await requireProject(deps, actor, input.ref, 'admin');
  return requestRestore(deps, {
    actor: { id: actor.userId },
    project,
    backupId: input.backupId,
    into: input.into,
  });
}

export async function findProjectBackup(
  deps: Deps,
  { actor, input }: Call<{ ref: string; backupId: number }>,
): Promise<Backup> {
  const { project } = await requireProject(deps, actor, input.ref, 'admin');
  return getBackup(deps, project, input.backupId);
}

/**
 * The plaintext dump (pg_dump custom format, for pg_restore) of a completed backup,
 * checked against its sha256 first, streamed. `release` removes the scratch copy.
 */
export async function openBackupDownload(
  deps: Deps,
  backup: Backup,
): Promise<{ stream: Readable; release: () => Promise<void> }> {
  if (backup.status !== 'COMPLETED')
    throw new AppError(
      'conflict',
      `Backup ${backup.id} is ${backup.status.toLowerCase()}: nothing to download`,
    );
  const file = await fetchVerified(deps, backup);
  const stream = await decryptedDump(deps, backup, file);
  return { stream, release: () => rm(file, { force: true }) };
}

export const backupFileName = (ref: string, b: Backup) =>
  `${ref}-${b.createdAt.toISOString().replace(/[:.]/g, '-')}-${b.id}.dump`;
