import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { enqueue } from '../jobs/queue.js';
import type { Deps } from '../context.js';
import { auditLog, projects, type Project } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import type { Actor } from './projects.js';
import { getProjectByRef } from './projects.js';

/**
 * Renames a project. Studio, the API and the CLI read the name from our table;
 * a job renames the Coolify service too (`<name> (<ref>)`), so operators see the
 * same name in Coolify's UI.
 */
export async function renameProject(
  deps: Pick<Deps, 'db' | 'wakeJobs'>,
  { actor, input }: { actor: Actor; input: { ref: string; name: string } },
): Promise<Project> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 256) throw invalid('Project name must be 1–256 characters');
  const project = await getProjectByRef(deps, input.ref);
  if (project.status === 'REMOVED') throw notFound(`Project ${input.ref}`);
  if (project.name === name) return project;
  const renamed = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(projects)
      .set({ name })
      .where(eq(projects.id, project.id))
      .returning();
    await tx.insert(auditLog).values({
      actor: actor.id,
      action: 'project.rename',
      organizationId: project.organizationId,
      projectId: project.id,
      detail: { from: project.name, to: name },
    });
    if (project.coolifyServiceUuid) {
      await enqueue(tx, {
        id: `rename:${project.ref}:${randomUUID()}`,
        kind: 'rename',
        projectId: project.id,
      });
    }
    return row!;
  });
  deps.wakeJobs?.();
  return renamed;
}
