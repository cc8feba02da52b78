import { and, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { projects, projectSecrets } from '../db/schema/index.js';

/**
 * Deletes the kept secrets of projects removed outside Supaplane once their retention has
 * passed (see reconciler/missing.ts). Returns how many were deleted.
 */
export async function purgeExpiredSecrets(db: Tx, now = new Date()): Promise<number> {
  const expired = db
    .select({ id: projects.id })
    .from(projects)
    .where(
      and(
        eq(projects.status, 'REMOVED'),
        isNotNull(projects.secretsRetainedUntil),
        lt(projects.secretsRetainedUntil, now),
      ),
    );
  const deleted = await db
    .delete(projectSecrets)
    .where(inArray(projectSecrets.projectId, expired))
    .returning({ id: projectSecrets.projectId });
  if (deleted.length) {
    await db
      .update(projects)
      .set({ secretsRetainedUntil: null })
      .where(
        inArray(
          projects.id,
          deleted.map((d) => d.id),
        ),
      );
  }
  return deleted.length;
}
