import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { projects, type Backup, type Project } from '../db/schema/index.js';
import {
  connectProjectDatabase,
  onDatabase,
  projectDatabase,
} from '../database/project-database.js';
import { AppError } from '../errors.js';
import type { BackupDeps } from './create.js';
import { pgToolPath, serverVersion, startTool } from './pg-tools.js';
import { openBackupSecrets } from './data-key.js';
import { decryptedDump, fetchVerified } from './read.js';
import { commitSwap, moveAside, rollbackSwap } from './swap.js';

/** The database the maintenance connection uses while the project's own is renamed. */
const MAINTENANCE_DATABASE = 'template1';

export interface RestoreOptions {
  /** `same`: the backup's own project; or another project (of the same organization). */
  into: 'same' | { project: Project };
}

/**
 * Restores a completed backup now, replacing the target project's database. No status
 * changes and no Coolify calls: callers (the restore job, the upgrade job) own those.
 *
 * 1. The stored object is fetched and its sha256 checked: a damaged backup is refused
 *    before anything is touched.
 * 2. The live database is moved aside (renamed, connections ended) and an empty one with
 *    its name, owner and encoding, closed to non-superusers, takes its place, so
 *    extensions bound to the database name (pg_cron's cron.database_name, pg_net's
 *    worker) restore as they were.
 * 3. pg_restore (of the server's major) fills it from the decrypted stream.
 * 4. Success: access list and settings are copied over and the previous database is
 *    dropped. Failure: the new one is dropped and the previous one renamed back, intact.
 */
export async function restoreBackup(
  deps: BackupDeps,
  backup: Backup,
  options: RestoreOptions,
): Promise<void> {
  const [source] = await deps.db.select().from(projects).where(eq(projects.id, backup.projectId));
  if (!source) throw new AppError('not_found', `project of backup ${backup.id} not found`);
  const target = options.into === 'same' ? source : options.into.project;
  if (target.organizationId !== source.organizationId)
    throw new AppError(
      'forbidden',
      'a backup can only be restored into a project of its organization',
    );
  const verified = await fetchVerified(deps, backup);
  try {
    const live = await projectDatabase(deps, target);
    const server = await serverVersion(live);
    const pgRestore = await pgToolPath(
      deps.config.SUPAPLANE_PG_BIN_DIR,
      server.major,
      'pg_restore',
    );
    const names = { live: live.database, previous: `${live.database}_pre_restore_${backup.id}` };
    const admin = connectProjectDatabase(onDatabase(live, MAINTENANCE_DATABASE));
    try {
      await moveAside(admin, names);
      try {
        // --exit-on-error: a partial restore is never left as the project's database.
        const restore = startTool(
          pgRestore,
          ['--exit-on-error', '--no-password', `--dbname=${live.database}`],
          live,
          {
            stdin: true,
            stdout: false,
          },
        );
        await Promise.all([
          pipeline(await decryptedDump(deps, backup, verified), restore.child.stdin!),
          restore.done,
        ]);
        const { database } = await openBackupSecrets(deps.db, deps.keyring, backup.id);
        await commitSwap(admin, names, database);
      } catch (err) {
        await rollbackSwap(admin, names).catch((rollbackErr: Error) => {
          deps.log.error(
            { backup: backup.id, err: rollbackErr.message },
            'restore rollback failed: the previous database is kept under its temporary name',
          );
        });
        throw new Error(
          `restore of backup ${backup.id} failed, the previous database was kept: ${(err as Error).message}`,
        );
      }
    } finally {
      await admin.end({ timeout: 5 });
    }
  } finally {
    await rm(verified, { force: true });
  }
}
