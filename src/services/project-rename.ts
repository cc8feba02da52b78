import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { auditLog, projects, type Project } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import type { Actor } from './projects.js';
import { getProjectByRef } from './projects.js';

/**
 * Renames a project. The name is ours: Studio, the API and the CLI read it from
 * our table, so the rename is complete when the row changes. The Coolify service
 * keeps the name it was created with (`<name> (<ref>)`) until the provisioner can
 * rename stacks; nothing depends on the name part, only on the ref suffix.
 */
export async function renameProject(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Actor; input: { ref: string; name: string } },
): Promise<Project> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 256) throw invalid('Project name must be 1–256 characters');
  const project = await getProjectByRef(deps, input.ref);
  if (project.status === 'REMOVED') throw notFound(`Project ${input.ref}`);
  if (project.name === name) return project;
  return deps.db.transaction(async (tx) => {
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
    return row!;
  });
}
