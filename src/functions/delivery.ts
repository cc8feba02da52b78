import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, ne } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import {
  edgeFunctions,
  edgeFunctionVersions,
  functionDeliveryTokens,
  projects,
  type Project,
} from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { isProjectRef } from '../projects/refs.js';
import { loadVersion } from './versions.js';

/**
 * How a project's stack fetches its function code (docs/adr/0005-edge-functions.md):
 * a per-project token, sealed here and delivered in the stack's env, opens that
 * project's code and nothing else.
 */

export const deliveryTokenAad = (projectId: number) => `function-delivery-token:${projectId}`;

/**
 * Where the stack's main service asks, as delivered in SUPAPLANE_FUNCTIONS_URL; empty
 * without SUPAPLANE_PUBLIC_URL (the stack then answers 503 saying functions are not
 * configured).
 */
export function deliveryUrl(
  config: Pick<Config, 'SUPAPLANE_PUBLIC_URL' | 'SUPAPLANE_BASE_PATH'>,
  ref: string,
): string {
  if (!config.SUPAPLANE_PUBLIC_URL) return '';
  const base = config.SUPAPLANE_PUBLIC_URL.replace(/\/+$/, '');
  const prefix = base.endsWith(config.SUPAPLANE_BASE_PATH) ? '' : config.SUPAPLANE_BASE_PATH;
  return `${base}${prefix}/functions-delivery/v1/projects/${ref}`;
}

/** The project's delivery token, generated (and sealed) the first time it is needed. */
export async function ensureDeliveryToken(
  tx: Tx,
  keyring: Keyring,
  projectId: number,
): Promise<string> {
  const existing = await loadDeliveryToken(tx, keyring, projectId);
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  await tx
    .insert(functionDeliveryTokens)
    .values({ projectId, ...seal(keyring, token, deliveryTokenAad(projectId)) })
    .onConflictDoNothing();
  // Another process may have won the insert: its token is the one stored.
  return (await loadDeliveryToken(tx, keyring, projectId))!;
}

async function loadDeliveryToken(tx: Tx, keyring: Keyring, projectId: number) {
  const [row] = await tx
    .select()
    .from(functionDeliveryTokens)
    .where(eq(functionDeliveryTokens.projectId, projectId));
  return row ? open(keyring, row, deliveryTokenAad(projectId)) : undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const refused = () => new AppError('unauthorized', 'Invalid function delivery token');

/**
 * The project whose token `presented` is. An unknown ref, a removed project, a v1
 * project and another project's token all get the same 401, so the answer tells
 * nothing about which projects exist.
 */
export async function authenticateDelivery(
  deps: Pick<Deps, 'db' | 'keyring'>,
  ref: string,
  presented: string | undefined,
): Promise<Project> {
  if (!presented || !isProjectRef(ref)) throw refused();
  const [project] = await deps.db
    .select()
    .from(projects)
    .where(and(eq(projects.ref, ref), ne(projects.status, 'REMOVED')));
  const token = project ? await loadDeliveryToken(deps.db, deps.keyring, project.id) : undefined;
  if (!project || !token || !timingSafeEqual(digest(token), digest(presented))) throw refused();
  return project;
}

export interface DeliveredFunction {
  slug: string;
  version: number;
  sha256: string;
  verify_jwt: boolean;
  entrypoint_path: string;
  import_map_path: string | null;
  static_patterns: string[];
}

/** The version a stack must serve for `slug` (no envelope opened: this is polled). */
export async function deliveredFunction(
  deps: Pick<Deps, 'db'>,
  project: Project,
  slug: string,
): Promise<DeliveredFunction> {
  const [row] = await deps.db
    .select({ fn: edgeFunctions, v: edgeFunctionVersions })
    .from(edgeFunctions)
    .innerJoin(
      edgeFunctionVersions,
      and(
        eq(edgeFunctionVersions.functionId, edgeFunctions.id),
        eq(edgeFunctionVersions.version, edgeFunctions.version),
      ),
    )
    .where(
      and(
        eq(edgeFunctions.projectId, project.id),
        eq(edgeFunctions.slug, slug),
        eq(edgeFunctions.status, 'ACTIVE'),
      ),
    );
  if (!row) throw notFound(`Function ${slug.slice(0, 128)}`);
  return {
    slug: row.fn.slug,
    version: row.v.version,
    sha256: row.v.sha256,
    verify_jwt: row.fn.verifyJwt,
    entrypoint_path: row.v.entrypointPath,
    import_map_path: row.v.importMapPath,
    static_patterns: row.v.staticPatterns,
  };
}

/** The bundle text of one version of this project's function, and its sha256. */
export async function deliveredBundle(
  deps: Pick<Deps, 'db' | 'keyring'>,
  project: Project,
  slug: string,
  version: number,
): Promise<{ text: string; sha256: string }> {
  if (!Number.isSafeInteger(version) || version < 1)
    throw notFound(`Version of function ${slug.slice(0, 128)}`);
  const [fn] = await deps.db
    .select()
    .from(edgeFunctions)
    .where(and(eq(edgeFunctions.projectId, project.id), eq(edgeFunctions.slug, slug)));
  const stored = fn ? await loadVersion(deps.db, deps.keyring, fn, version) : undefined;
  if (!stored) throw notFound(`Version ${version} of function ${slug.slice(0, 128)}`);
  return { text: stored.text, sha256: stored.row.sha256 };
}
