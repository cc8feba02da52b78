import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { auditLog, projects, type Project, type ProjectStatus } from '../db/schema/index.js';
import { enqueue, type NewJob } from '../jobs/queue.js';

export interface Transition {
  to: ProjectStatus;
  /** Only apply when the project is still in one of these states (optimistic concurrency). */
  from?: readonly ProjectStatus[];
  actor: string;
  action: string;
  /** Human-readable reason; null clears the project's last error. */
  error?: string | null;
  detail?: Record<string, unknown>;
  job?: NewJob;
}

/**
 * Changes a project's status, writing its audit row and (optionally) the job that
 * carries the change out, all in the caller's transaction. Returns the updated
 * project, or undefined when the project had already left the `from` states.
 */
export async function transition(
  tx: Tx,
  project: Pick<Project, 'id' | 'status' | 'organizationId'>,
  t: Transition,
): Promise<Project | undefined> {
  const guard = t.from
    ? and(eq(projects.id, project.id), inArray(projects.status, [...t.from]))
    : eq(projects.id, project.id);
  const [updated] = await tx
    .update(projects)
    .set({
      status: t.to,
      statusChangedAt: new Date(),
      ...(t.error !== undefined ? { lastError: t.error } : {}),
    })
    .where(guard)
    .returning();
  if (!updated) return undefined;
  await tx.insert(auditLog).values({
    actor: t.actor,
    action: t.action,
    organizationId: project.organizationId,
    projectId: project.id,
    fromStatus: project.status,
    toStatus: t.to,
    detail: { ...t.detail, ...(t.error ? { error: t.error } : {}) },
  });
  if (t.job) await enqueue(tx, t.job);
  return updated;
}
