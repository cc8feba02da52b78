import type { Backup, BackupKind, Project } from '../db/schema/index.js';
import { insertBackup, runBackup, type BackupDeps } from './create.js';

/** Takes a backup of `project` now (see index.ts). */
export async function createBackup(
  deps: BackupDeps,
  project: Pick<Project, 'id' | 'ref' | 'templateVersion'>,
  opts: { kind: BackupKind; actor?: string },
): Promise<Backup> {
  const row = await insertBackup(deps, project, { kind: opts.kind, actor: opts.actor ?? 'system' });
  if (!row) throw new Error('backup row was not created');
  return runBackup(deps, project, row);
}
