import { and, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { edgeFunctions, type EdgeFunction, type Project } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import { requireProject, type Access } from '../members/access.js';
import { getProjectByRef } from '../projects/projects.js';

/**
 * The project, for a functions call. Only template v2 runs functions from Supaplane
 * (docs/adr/0005-edge-functions.md): v1's main serves a folder of the stack's disk and
 * gives workers its whole env, so a v1 project refuses writes with a 400 that says so.
 */
export async function requireFunctionsProject(
  deps: Pick<Deps, 'db' | 'readCache'>,
  actor: Principal,
  ref: string,
  access: Access,
): Promise<Project> {
  // The CLI on the server (`supaplane functions …`) acts for the operator, who reaches
  // every project already; everyone else needs membership with the role for `access`.
  const project =
    actor.via === 'operator'
      ? await getProjectByRef(deps, ref)
      : (await requireProject(deps, actor, ref, access)).project;
  if (project.status === 'REMOVED') throw notFound(`Project ${ref}`);
  if (access !== 'read' && project.templateVersion === 'v1') {
    throw invalid(
      `Edge Functions need template v2; project ${ref} runs template v1, whose stack cannot fetch function code from Supaplane. Create a new project to use Edge Functions.`,
    );
  }
  return project;
}

export async function findFunction(
  tx: Tx,
  projectId: number,
  slug: string,
): Promise<EdgeFunction | undefined> {
  const [row] = await tx
    .select()
    .from(edgeFunctions)
    .where(and(eq(edgeFunctions.projectId, projectId), eq(edgeFunctions.slug, slug)));
  return row;
}

export async function requireFunction(tx: Tx, projectId: number, slug: string) {
  const row = await findFunction(tx, projectId, slug);
  if (!row) throw notFound(`Function ${slug.slice(0, 128)}`);
  return row;
}
