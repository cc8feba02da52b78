import { asc, eq, sql } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { edgeFunctions } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import type { FunctionFile } from './bundle.js';
import { findFunction, requireFunction, requireFunctionsProject } from './access.js';
import { audit, checkSlug, storeSingleFile } from './deploy.js';
import { MAX_NAME_LENGTH } from './limits.js';
import { functionView, type FunctionView } from './views.js';
import { activateVersion, loadVersion, versionExists } from './versions.js';

type FnDeps = Pick<Deps, 'db' | 'keyring' | 'readCache'>;
type Call<I> = { actor: Principal; input: I };

export async function listFunctions(
  deps: FnDeps,
  { actor, input }: Call<{ ref: string }>,
): Promise<FunctionView[]> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'read');
  const rows = await deps.db
    .select()
    .from(edgeFunctions)
    .where(eq(edgeFunctions.projectId, project.id))
    .orderBy(asc(edgeFunctions.slug));
  return rows.map((r) => functionView(r));
}

export async function getFunction(
  deps: FnDeps,
  { actor, input }: Call<{ ref: string; slug: string }>,
): Promise<FunctionView> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'read');
  return functionView(await requireFunction(deps.db, project.id, input.slug));
}

export interface FunctionBody {
  /** Studio reads `deno2_entrypoint_path` from the metadata part (edge-function-body-query.ts). */
  metadata: {
    entrypoint_path: string;
    deno2_entrypoint_path: string;
    import_map_path: string | null;
    static_patterns: string[];
    version: number;
  };
  files: FunctionFile[];
}

/** The files of the version being served. */
export async function getFunctionBody(
  deps: FnDeps,
  { actor, input }: Call<{ ref: string; slug: string }>,
): Promise<FunctionBody> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'read');
  const fn = await requireFunction(deps.db, project.id, input.slug);
  const stored =
    fn.version > 0 ? await loadVersion(deps.db, deps.keyring, fn, fn.version) : undefined;
  if (!stored) throw notFound(`Code of function ${fn.slug}`);
  const { row } = stored;
  return {
    metadata: {
      entrypoint_path: row.entrypointPath,
      deno2_entrypoint_path: row.entrypointPath,
      import_map_path: row.importMapPath,
      static_patterns: row.staticPatterns,
      version: row.version,
    },
    files: stored.files(),
  };
}

export interface UpdateInput {
  ref: string;
  slug: string;
  name?: string;
  body?: string;
  verifyJwt?: boolean;
}

/** PATCH …/functions/{slug}: name and verify_jwt now; a `body` is a new version. */
export async function updateFunction(
  deps: FnDeps,
  { actor, input }: Call<UpdateInput>,
): Promise<FunctionView> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'write');
  if (
    input.name !== undefined &&
    (input.name.length === 0 || input.name.length > MAX_NAME_LENGTH)
  ) {
    throw invalid(`Function name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  const set = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.verifyJwt !== undefined ? { verifyJwt: input.verifyJwt } : {}),
  };
  return deps.db.transaction(async (tx) => {
    const [fn] = await tx
      .select()
      .from(edgeFunctions)
      .where(eq(edgeFunctions.id, (await requireFunction(tx, project.id, input.slug)).id))
      .for('update');
    let row = fn!;
    if (input.body !== undefined) {
      row = await storeSingleFile(tx, deps, row, input.body, set);
    } else if (Object.keys(set).length > 0) {
      [row] = (await tx
        .update(edgeFunctions)
        .set({ ...set, updatedAt: sql`now()` })
        .where(eq(edgeFunctions.id, row.id))
        .returning()) as [typeof row];
    }
    await audit(tx, actor, project, 'function.update', {
      slug: row.slug,
      fields: Object.keys({ ...set, ...(input.body !== undefined ? { body: 1 } : {}) }),
    });
    return functionView(row);
  });
}

/** DELETE …/functions/{slug}: the function and every stored version; the stack answers 404. */
export async function deleteFunction(
  deps: FnDeps,
  { actor, input }: Call<{ ref: string; slug: string }>,
): Promise<void> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'write');
  await deps.db.transaction(async (tx) => {
    const fn = await requireFunction(tx, project.id, input.slug);
    await tx.delete(edgeFunctions).where(eq(edgeFunctions.id, fn.id));
    await audit(tx, actor, project, 'function.delete', { slug: fn.slug });
  });
}

export interface BulkItem {
  id: string;
  slug: string;
  name: string;
  status: 'ACTIVE' | 'REMOVED' | 'THROTTLED';
  version: number;
  verify_jwt?: boolean;
}

/**
 * PUT …/functions: the CLI's second step of a multi-function deploy, which serves the
 * versions its bundle-only deploys stored (apps/cli-go/pkg/function/deploy.go:67-106
 * @1d1e7191 of supabase/cli). Every function must exist and every version be stored.
 */
export async function bulkUpdateFunctions(
  deps: FnDeps,
  { actor, input }: Call<{ ref: string; functions: BulkItem[] }>,
): Promise<{ functions: FunctionView[] }> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'write');
  return deps.db.transaction(async (tx) => {
    const out: FunctionView[] = [];
    for (const item of input.functions) {
      const fn = await findFunction(tx, project.id, checkSlug(item.slug));
      if (!fn || fn.id !== item.id) {
        throw invalid(`Function ${item.slug} (id ${item.id}) is not deployed; deploy it first`);
      }
      if (!(await versionExists(tx, fn.id, item.version))) {
        throw invalid(`Function ${item.slug} has no version ${item.version}`);
      }
      const row = await activateVersion(tx, fn, item.version, {
        name: item.name,
        ...(item.verify_jwt !== undefined ? { verifyJwt: item.verify_jwt } : {}),
      });
      out.push(functionView(row));
    }
    await audit(tx, actor, project, 'function.bulk_update', {
      functions: input.functions.map((f) => ({ slug: f.slug, version: f.version })),
    });
    return { functions: out };
  });
}
