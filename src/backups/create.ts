import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { backups, type Backup, type BackupKind, type Project } from '../db/schema/index.js';
import { connectProjectDatabase, projectDatabase } from '../database/project-database.js';
import { encryptor, sealBackupSecrets } from './data-key.js';
import { digestTap } from './digest.js';
import { databaseProperties } from './swap.js';
import { pgToolPath, serverVersion, startTool } from './pg-tools.js';
import { applyRetention } from './retention.js';
import { backupStore, scratchDir } from './storage.js';

export type BackupDeps = Pick<Deps, 'db' | 'config' | 'keyring' | 'log'>;

/** Inserts a PENDING backup row; `scheduledFor` makes a daily backup unique per day. */
export async function insertBackup(
  deps: Pick<Deps, 'db'>,
  project: Pick<Project, 'id' | 'templateVersion'>,
  opts: { kind: BackupKind; actor: string; scheduledFor?: string },
): Promise<Backup | undefined> {
  const [row] = await deps.db
    .insert(backups)
    .values({
      projectId: project.id,
      kind: opts.kind,
      actor: opts.actor,
      scheduledFor: opts.scheduledFor ?? null,
      templateVersion: project.templateVersion,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

/**
 * Dumps the project's database now and stores it encrypted; marks the row COMPLETED
 * (or FAILED, rethrowing). pg_dump → AES-256-GCM → sha256 → scratch file → store, all
 * streamed. The whole database in custom format, as `supabase_admin`: see index.ts for
 * why every schema, Supabase's own included, is in it.
 */
export async function runBackup(
  deps: BackupDeps,
  project: Pick<Project, 'id' | 'ref' | 'templateVersion'>,
  backup: Backup,
): Promise<Backup> {
  const started = Date.now();
  const store = backupStore(deps.config);
  const objectKey = `${project.ref}/${backup.id}-${backup.kind}.dump.enc`;
  const scratch = path.join(scratchDir(deps.config), `backup-${backup.id}-${process.pid}.part`);
  await deps.db
    .update(backups)
    .set({ status: 'PENDING', startedAt: new Date(), attempts: backup.attempts + 1 })
    .where(eq(backups.id, backup.id));
  try {
    const target = await projectDatabase(deps, project);
    const server = await serverVersion(target);
    const pgDump = await pgToolPath(deps.config.SUPAPLANE_PG_BIN_DIR, server.major, 'pg_dump');
    const session = connectProjectDatabase(target);
    const properties = await databaseProperties(session).finally(() => session.end({ timeout: 5 }));
    const { key } = await sealBackupSecrets(deps.db, deps.keyring, backup.id, properties);
    const { cipher, nonce } = encryptor(key, backup.id);
    const digest = digestTap();
    await mkdir(path.dirname(scratch), { recursive: true });
    // --format=custom: compressed, and pg_restore can pick objects and order them itself.
    const dump = startTool(pgDump, ['--format=custom', '--no-password'], target, {
      stdin: false,
      stdout: true,
    });
    await Promise.all([
      pipeline(dump.child.stdout!, cipher, digest.tap, createWriteStream(scratch, { mode: 0o600 })),
      dump.done,
    ]);
    const { sha256, size } = digest.result();
    if ((await stat(scratch)).size !== size) throw new Error('backup scratch file is short');
    await store.put(objectKey, scratch);
    const [done] = await deps.db
      .update(backups)
      .set({
        status: 'COMPLETED',
        storage: store.kind,
        objectKey,
        dataNonce: nonce,
        dataTag: cipher.getAuthTag(),
        sha256,
        sizeBytes: size,
        durationMs: Date.now() - started,
        templateVersion: project.templateVersion,
        postgresVersion: server.version,
        lastError: null,
        completedAt: new Date(),
      })
      .where(eq(backups.id, backup.id))
      .returning();
    await applyRetention(deps, project.id, backup.kind);
    return done!;
  } catch (err) {
    await deps.db
      .update(backups)
      .set({ lastError: (err as Error).message, durationMs: Date.now() - started })
      .where(eq(backups.id, backup.id));
    throw err;
  } finally {
    await rm(scratch, { force: true });
  }
}

export async function markBackupFailed(deps: Pick<Deps, 'db'>, backupId: number, error: string) {
  await deps.db
    .update(backups)
    .set({ status: 'FAILED', lastError: error, completedAt: new Date() })
    .where(eq(backups.id, backupId));
}
