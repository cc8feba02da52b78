import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { auditLog, type EdgeFunction, type Project } from '../db/schema/index.js';
import { conflict, invalid } from '../errors.js';
import { checkFiles, normalizePath, rerooter, type FunctionFile } from './bundle.js';
import { requireFunctionsProject } from './access.js';
import {
  MAX_NAME_LENGTH,
  MAX_SLUG_LENGTH,
  MAX_STATIC_PATTERNS,
  RESERVED_SLUGS,
  SLUG_PATTERN,
} from './limits.js';
import { functionView, type FunctionView } from './views.js';
import { activateVersion, lockFunction, storeVersion } from './versions.js';

/**
 * The `metadata` part of a deploy, as the CLI encodes FunctionDeployMetadata
 * (apps/cli-go/pkg/function/api.go:17-24@1d1e7191 of supabase/cli): it sends
 * `import_map_path` even when empty (a pointer to ""), and a `sha256` we ignore.
 */
const DeployMetadata = z.object({
  entrypoint_path: z.string().min(1),
  import_map_path: z.string().optional().nullable(),
  name: z.string().max(MAX_NAME_LENGTH).optional(),
  static_patterns: z.array(z.string().min(1).max(512)).max(MAX_STATIC_PATTERNS).optional(),
  verify_jwt: z.boolean().optional(),
});

export function checkSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug) || slug.length > MAX_SLUG_LENGTH) {
    throw invalid(
      `Function slug "${slug.slice(0, 80)}" must start with a letter and contain only letters, digits, _ and -, at most ${MAX_SLUG_LENGTH} characters`,
    );
  }
  if (RESERVED_SLUGS.has(slug)) throw invalid(`Function slug "${slug}" is reserved`);
  return slug;
}

function parseMetadata(raw: string | undefined) {
  if (raw === undefined) throw invalid('The deploy has no "metadata" field');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw invalid('The "metadata" field is not JSON');
  }
  const parsed = DeployMetadata.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`metadata.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export interface DeployInput {
  ref: string;
  slug?: string;
  /** Store the version without serving it; a bulk update then activates it (the CLI's multi-function deploy). */
  bundleOnly?: boolean;
  metadata?: string;
  files: FunctionFile[];
}

/** POST /v1/projects/{ref}/functions/deploy: stores a new version whole, then serves it. */
export async function deployFunction(
  deps: Pick<Deps, 'db' | 'keyring' | 'readCache'>,
  { actor, input }: { actor: Principal; input: DeployInput },
): Promise<FunctionView> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'write');
  const meta = parseMetadata(input.metadata);
  const slug = checkSlug(input.slug ?? meta.name ?? '');
  const root = rerooter(
    [...input.files.map((f) => f.name), meta.entrypoint_path, meta.import_map_path ?? ''],
    slug,
  );
  const files = checkFiles(input.files.map((f) => ({ ...f, name: root(f.name) })));
  const names = new Set(files.map((f) => f.name));
  const entrypointPath = normalizePath(root(meta.entrypoint_path), 'entrypoint_path');
  const importMapPath = meta.import_map_path
    ? normalizePath(root(meta.import_map_path), 'import_map_path')
    : null;
  for (const [what, path] of [
    ['entrypoint_path', entrypointPath],
    ['import_map_path', importMapPath],
  ] as const) {
    if (path !== null && !names.has(path)) {
      throw invalid(
        `${what} "${path}" is not one of the files sent (${[...names].slice(0, 5).join(', ')}${names.size > 5 ? ', …' : ''})`,
      );
    }
  }
  return deps.db.transaction(async (tx) => {
    const { row } = await lockFunction(tx, project.id, slug, {
      name: meta.name ?? slug,
      verifyJwt: meta.verify_jwt ?? true,
    });
    const verifyJwt = meta.verify_jwt ?? row.verifyJwt;
    const version = await storeVersion(tx, deps.keyring, row, {
      files,
      entrypointPath,
      importMapPath,
      staticPatterns: meta.static_patterns ?? [],
      verifyJwt,
    });
    await audit(tx, actor, project, 'function.deploy', {
      slug,
      version,
      bundleOnly: !!input.bundleOnly,
    });
    if (input.bundleOnly) return functionView(row, version);
    const served = await activateVersion(tx, row, version, {
      name: meta.name ?? row.name,
      verifyJwt,
    });
    return functionView(served);
  });
}

/** One source file as a whole function (the JSON create and update of the Management API). */
export async function storeSingleFile(
  tx: Tx,
  deps: Pick<Deps, 'keyring'>,
  fn: EdgeFunction,
  body: string,
  set: Partial<Pick<EdgeFunction, 'name' | 'verifyJwt'>>,
): Promise<EdgeFunction> {
  const entrypointPath = fn.entrypointPath ?? 'index.ts';
  const files = checkFiles([{ name: entrypointPath, content: Buffer.from(body, 'utf8') }]);
  const version = await storeVersion(tx, deps.keyring, fn, {
    files,
    entrypointPath,
    importMapPath: null,
    staticPatterns: [],
    verifyJwt: set.verifyJwt ?? fn.verifyJwt,
  });
  return activateVersion(tx, fn, version, set);
}

export interface CreateInput {
  ref: string;
  slug: string;
  name: string;
  body: string;
  verifyJwt?: boolean;
}

/** POST /v1/projects/{ref}/functions (deprecated upstream, kept for API clients). */
export async function createFunction(
  deps: Pick<Deps, 'db' | 'keyring' | 'readCache'>,
  { actor, input }: { actor: Principal; input: CreateInput },
): Promise<FunctionView> {
  const project = await requireFunctionsProject(deps, actor, input.ref, 'write');
  const slug = checkSlug(input.slug);
  return deps.db.transaction(async (tx) => {
    const { row, created } = await lockFunction(tx, project.id, slug, {
      name: input.name,
      verifyJwt: input.verifyJwt ?? true,
    });
    if (!created) throw conflict(`Function ${slug} already exists; deploy or update it instead`);
    const served = await storeSingleFile(tx, deps, row, input.body, {});
    await audit(tx, actor, project, 'function.create', { slug, version: served.version });
    return functionView(served);
  });
}

export async function audit(
  tx: Tx,
  actor: Principal,
  project: Project,
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await tx.insert(auditLog).values({
    actor: actor.userId,
    action,
    organizationId: project.organizationId,
    projectId: project.id,
    detail,
  });
}
