import { and, desc, eq } from 'drizzle-orm';
import { backups, type BackupKind } from '../db/schema/index.js';
import type { BackupDeps } from './create.js';
import { effectivePolicy } from './policy.js';
import { backupStore } from './storage.js';

/**
 * Keeps the newest N completed backups of one kind and removes the rest (object first,
 * then the row becomes REMOVED, so a crash in between only leaves a row to remove again).
 * Each kind counts on its own: a burst of manual backups never pushes out a daily one.
 */
export async function applyRetention(
  deps: BackupDeps,
  projectId: number,
  kind: BackupKind,
): Promise<number> {
  const keep = (await effectivePolicy(deps, projectId)).retention[kind];
  const completed = await deps.db
    .select()
    .from(backups)
    .where(
      and(
        eq(backups.projectId, projectId),
        eq(backups.kind, kind),
        eq(backups.status, 'COMPLETED'),
      ),
    )
    .orderBy(desc(backups.completedAt), desc(backups.id));
  const store = backupStore(deps.config);
  let removed = 0;
  for (const old of completed.slice(keep)) {
    if (old.objectKey) await store.remove(old.objectKey);
    await deps.db.update(backups).set({ status: 'REMOVED' }).where(eq(backups.id, old.id));
    removed++;
  }
  return removed;
}
