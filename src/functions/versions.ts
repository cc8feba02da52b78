import { and, eq, max, sql } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import { edgeFunctions, edgeFunctionVersions, type EdgeFunction } from '../db/schema/index.js';
import { decodeBundle, encodeBundle, sha256Hex, type FunctionFile } from './bundle.js';

// Project, function and version are the AAD: a bundle moved to another row fails to open.
export const functionVersionAad = (projectId: number, functionId: string, version: number) =>
  `function-version:${projectId}:${functionId}:${version}`;

export interface VersionInput {
  files: FunctionFile[];
  entrypointPath: string;
  importMapPath: string | null;
  staticPatterns: string[];
  verifyJwt: boolean;
}

/**
 * The function row of `slug`, created if missing, locked until the transaction ends:
 * concurrent deploys of one function number their versions one after the other.
 */
export async function lockFunction(
  tx: Tx,
  projectId: number,
  slug: string,
  create: { name: string; verifyJwt: boolean },
): Promise<{ row: EdgeFunction; created: boolean }> {
  const inserted = await tx
    .insert(edgeFunctions)
    .values({ projectId, slug, name: create.name, verifyJwt: create.verifyJwt })
    .onConflictDoNothing()
    .returning();
  const [row] = await tx
    .select()
    .from(edgeFunctions)
    .where(and(eq(edgeFunctions.projectId, projectId), eq(edgeFunctions.slug, slug)))
    .for('update');
  return { row: row!, created: inserted.length > 0 };
}

/**
 * Seals and stores a new version of a locked function; returns its number. Numbers
 * follow the highest stored one (a bundle-only deploy stores a version that is not
 * yet served), so they only ever increase.
 */
export async function storeVersion(
  tx: Tx,
  keyring: Keyring,
  fn: EdgeFunction,
  input: VersionInput,
): Promise<number> {
  const [top] = await tx
    .select({ v: max(edgeFunctionVersions.version) })
    .from(edgeFunctionVersions)
    .where(eq(edgeFunctionVersions.functionId, fn.id));
  const version = Math.max(top?.v ?? 0, fn.version) + 1;
  const text = encodeBundle(input.files);
  await tx.insert(edgeFunctionVersions).values({
    functionId: fn.id,
    version,
    projectId: fn.projectId,
    entrypointPath: input.entrypointPath,
    importMapPath: input.importMapPath,
    staticPatterns: input.staticPatterns,
    verifyJwt: input.verifyJwt,
    sha256: sha256Hex(text),
    sizeBytes: Buffer.byteLength(text),
    fileCount: input.files.length,
    ...seal(keyring, text, functionVersionAad(fn.projectId, fn.id, version)),
  });
  return version;
}

/** Makes `version` (stored whole already) the one the stack serves. */
export async function activateVersion(
  tx: Tx,
  fn: EdgeFunction,
  version: number,
  set: Partial<Pick<EdgeFunction, 'name' | 'verifyJwt'>> = {},
): Promise<EdgeFunction> {
  const [stored] = await tx
    .select({
      entrypointPath: edgeFunctionVersions.entrypointPath,
      importMapPath: edgeFunctionVersions.importMapPath,
    })
    .from(edgeFunctionVersions)
    .where(
      and(eq(edgeFunctionVersions.functionId, fn.id), eq(edgeFunctionVersions.version, version)),
    );
  if (!stored) throw new Error(`version ${version} of function ${fn.slug} is not stored`);
  const [row] = await tx
    .update(edgeFunctions)
    .set({ ...set, ...stored, version, status: 'ACTIVE', updatedAt: sql`now()` })
    .where(eq(edgeFunctions.id, fn.id))
    .returning();
  return row!;
}

export async function versionExists(tx: Tx, functionId: string, version: number) {
  const [row] = await tx
    .select({ v: edgeFunctionVersions.version })
    .from(edgeFunctionVersions)
    .where(
      and(
        eq(edgeFunctionVersions.functionId, functionId),
        eq(edgeFunctionVersions.version, version),
      ),
    );
  return row !== undefined;
}

/** A stored version: its row and its bundle text, opened and checked against its sha256. */
export async function loadVersion(
  tx: Tx,
  keyring: Keyring,
  fn: Pick<EdgeFunction, 'id' | 'projectId'>,
  version: number,
) {
  const [row] = await tx
    .select()
    .from(edgeFunctionVersions)
    .where(
      and(
        eq(edgeFunctionVersions.functionId, fn.id),
        eq(edgeFunctionVersions.projectId, fn.projectId),
        eq(edgeFunctionVersions.version, version),
      ),
    );
  if (!row) return undefined;
  const text = open(keyring, row, functionVersionAad(fn.projectId, fn.id, version));
  if (sha256Hex(text) !== row.sha256) {
    throw new Error(`bundle of function ${fn.id} version ${version} fails its sha256`);
  }
  return { row, text, files: () => decodeBundle(text) };
}
