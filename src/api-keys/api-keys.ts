import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { projectApiKeys, type Project, type Role } from '../db/schema/index.js';
import { AppError, conflict, invalid, notFound } from '../errors.js';
import { opaqueKey, type ProjectSecrets } from '../secrets/generate.js';
import { loadProjectSecrets, saveProjectSecrets } from '../secrets/store.js';
import { requireProject, roleAllows } from '../members/access.js';
import { lockProjectForEnvChange, scheduleEnvApply } from '../projects/env-changes.js';

/**
 * A project's API keys as the Management API lists them: the legacy `anon` and
 * `service_role` JWTs, and the new-style publishable and secret keys. The stack's
 * gateway knows one key of each new type, so a project has at most one of each;
 * their values live in the project's secrets envelope, their names here.
 */
export type ApiKeyType = 'publishable' | 'secret';

export interface ApiKeyView {
  api_key: string | null;
  id: string | null;
  type: 'legacy' | ApiKeyType | null;
  prefix: string | null;
  name: string;
  description: string | null;
  hash: string | null;
  secret_jwt_template: Record<string, unknown> | null;
  inserted_at: string | null;
  updated_at: string | null;
}

type KeyRow = typeof projectApiKeys.$inferSelect;

const PREFIX: Record<ApiKeyType, 'sb_publishable_' | 'sb_secret_'> = {
  publishable: 'sb_publishable_',
  secret: 'sb_secret_',
};
const SECRET_FIELD = {
  publishable: 'SUPABASE_PUBLISHABLE_KEY',
  secret: 'SUPABASE_SECRET_KEY',
} as const satisfies Record<ApiKeyType, keyof ProjectSecrets>;

export const LEGACY_KEY_IDS = ['anon', 'service_role'] as const;
const NAME = /^[a-z_][a-z0-9_]{3,63}$/;

/** The metadata rows of a new project's keys, named `default` like Supabase's. */
export async function seedApiKeys(tx: Tx, projectId: number): Promise<void> {
  await tx
    .insert(projectApiKeys)
    .values([
      { projectId, type: 'publishable', name: 'default', description: 'Default publishable key' },
      { projectId, type: 'secret', name: 'default', description: 'Default secret key' },
    ])
    .onConflictDoNothing();
}

/** Who sees which values: secret-capable keys need write access (developer and up). */
interface Viewer {
  role: Role;
  reveal: boolean;
}

const canSeeSecrets = (v: Viewer) => roleAllows(v.role, 'write');

function mask(key: string, type: ApiKeyType): string {
  const prefix = PREFIX[type];
  return `${prefix}${key.slice(prefix.length, prefix.length + 4)}${'•'.repeat(16)}`;
}

function keyView(row: KeyRow, value: string, viewer: Viewer): ApiKeyView {
  const shown =
    row.type === 'publishable' ? value : viewer.reveal && canSeeSecrets(viewer) ? value : null;
  return {
    api_key: shown ?? mask(value, row.type),
    id: row.id,
    type: row.type,
    prefix: value.slice(0, PREFIX[row.type].length + 4),
    name: row.name,
    description: row.description,
    hash: createHash('sha256').update(value).digest('base64url'),
    secret_jwt_template: row.type === 'secret' ? { role: 'service_role' } : null,
    inserted_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function legacyViews(secrets: ProjectSecrets, viewer: Viewer): ApiKeyView[] {
  const legacy = (name: 'anon' | 'service_role', value: string | null): ApiKeyView => ({
    api_key: value,
    id: name,
    type: 'legacy',
    prefix: null,
    name,
    description: name === 'anon' ? 'Legacy anon API key' : 'Legacy service_role API key',
    hash: null,
    secret_jwt_template: null,
    inserted_at: null,
    updated_at: null,
  });
  // The Supabase CLI reads service_role from the plain list, so it is not behind `reveal`.
  return [
    legacy('anon', secrets.SUPABASE_ANON_KEY),
    legacy('service_role', canSeeSecrets(viewer) ? secrets.SUPABASE_SERVICE_KEY : null),
  ];
}

interface KeyArgs<I> {
  actor: Principal;
  input: I & { ref: string; reveal?: boolean };
}

async function context(
  deps: Pick<Deps, 'db' | 'keyring'>,
  actor: Principal,
  ref: string,
  reveal: boolean,
  access: 'read' | 'admin' = 'read',
) {
  const { project, role } = await requireProject(deps, actor, ref, access);
  if (reveal && !canSeeSecrets({ role, reveal })) {
    throw new AppError('forbidden', `Your role (${role}) does not allow revealing secret keys`);
  }
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (!secrets) throw new AppError('precondition', `Project ${ref} has no keys (yet)`);
  return { project, secrets, viewer: { role, reveal } };
}

const rowsOf = (tx: Tx, projectId: number) =>
  tx
    .select()
    .from(projectApiKeys)
    .where(eq(projectApiKeys.projectId, projectId))
    .orderBy(projectApiKeys.type);

export async function listApiKeys(
  deps: Pick<Deps, 'db' | 'keyring'>,
  { actor, input }: KeyArgs<object>,
): Promise<ApiKeyView[]> {
  const { project, secrets, viewer } = await context(deps, actor, input.ref, input.reveal ?? false);
  const rows = await rowsOf(deps.db, project.id);
  return [
    ...legacyViews(secrets, viewer),
    ...rows.map((r) => keyView(r, secrets[SECRET_FIELD[r.type]], viewer)),
  ];
}

export async function getApiKey(
  deps: Pick<Deps, 'db' | 'keyring'>,
  { actor, input }: KeyArgs<{ id: string }>,
): Promise<ApiKeyView> {
  const { project, secrets, viewer } = await context(deps, actor, input.ref, input.reveal ?? false);
  const legacy = legacyViews(secrets, viewer).find((k) => k.id === input.id);
  if (legacy) return legacy;
  const row = await findRow(deps.db, project.id, input.id);
  return keyView(row, secrets[SECRET_FIELD[row.type]], viewer);
}

async function findRow(tx: Tx, projectId: number, id: string): Promise<KeyRow> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const [row] = isUuid
    ? await tx
        .select()
        .from(projectApiKeys)
        .where(and(eq(projectApiKeys.projectId, projectId), eq(projectApiKeys.id, id)))
    : [];
  if (!row) throw notFound(`API key ${id}`);
  return row;
}

function checkName(name: string) {
  if (!NAME.test(name)) {
    throw invalid(
      'Key name must be 4–64 characters: lowercase letters, digits and _, not starting with a digit',
    );
  }
}

function checkTemplate(type: ApiKeyType, template: Record<string, unknown> | null | undefined) {
  if (!template) return;
  if (
    type !== 'secret' ||
    Object.keys(template).some((k) => k !== 'role') ||
    template.role !== 'service_role'
  ) {
    throw invalid(
      'This stack maps secret keys to the service_role role only: secret_jwt_template must be {"role":"service_role"} or omitted',
    );
  }
}

/**
 * Replaces a key value and schedules applying it: the old value stops working once
 * the stack has restarted (status RESTARTING meanwhile).
 */
async function rotate(
  tx: Tx,
  deps: Pick<Deps, 'keyring'>,
  project: Project,
  type: ApiKeyType,
  change: { actor: string; action: string; detail: Record<string, unknown> },
): Promise<{ secrets: ProjectSecrets; project: Project }> {
  const locked = await lockProjectForEnvChange(tx, project.id);
  const current = await loadProjectSecrets(tx, deps.keyring, project.id);
  if (!current) throw new AppError('precondition', `Project ${project.ref} has no keys (yet)`);
  const secrets = { ...current, [SECRET_FIELD[type]]: opaqueKey(PREFIX[type]) };
  await saveProjectSecrets(tx, deps.keyring, project.id, secrets);
  const updated = await scheduleEnvApply(tx, locked, change);
  return { secrets, project: updated };
}

export async function createApiKey(
  deps: Deps,
  {
    actor,
    input,
  }: KeyArgs<{
    type: ApiKeyType;
    name: string;
    description?: string | null;
    secretJwtTemplate?: Record<string, unknown> | null;
  }>,
): Promise<ApiKeyView> {
  checkName(input.name);
  checkTemplate(input.type, input.secretJwtTemplate);
  const { project, viewer } = await context(deps, actor, input.ref, input.reveal ?? false, 'admin');
  const view = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projectApiKeys)
      .values({
        projectId: project.id,
        type: input.type,
        name: input.name,
        description: input.description ?? null,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      throw conflict(
        `Project ${project.ref} already has a ${input.type} key; its stack supports one of each type. Delete it first to replace it.`,
      );
    }
    const { secrets } = await rotate(tx, deps, project, input.type, {
      actor: actor.userId,
      action: 'project.api_key.create',
      detail: { keyId: row.id, type: row.type, name: row.name },
    });
    return keyView(row, secrets[SECRET_FIELD[row.type]], viewer);
  });
  deps.wakeJobs?.();
  return view;
}

export async function updateApiKey(
  deps: Pick<Deps, 'db' | 'keyring'>,
  {
    actor,
    input,
  }: KeyArgs<{
    id: string;
    name?: string;
    description?: string | null;
    secretJwtTemplate?: Record<string, unknown> | null;
  }>,
): Promise<ApiKeyView> {
  if (input.name !== undefined) checkName(input.name);
  const { project, secrets, viewer } = await context(
    deps,
    actor,
    input.ref,
    input.reveal ?? false,
    'admin',
  );
  if ((LEGACY_KEY_IDS as readonly string[]).includes(input.id)) {
    throw invalid('Legacy keys cannot be renamed');
  }
  const row = await findRow(deps.db, project.id, input.id);
  checkTemplate(row.type, input.secretJwtTemplate);
  const [updated] = await deps.db
    .update(projectApiKeys)
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      updatedAt: new Date(),
    })
    .where(eq(projectApiKeys.id, row.id))
    .returning();
  return keyView(updated!, secrets[SECRET_FIELD[row.type]], viewer);
}

/** Deletes a key: its value is replaced by one nobody knows, and the stack restarted. */
export async function deleteApiKey(
  deps: Deps,
  { actor, input }: KeyArgs<{ id: string; wasCompromised?: boolean; reason?: string }>,
): Promise<ApiKeyView> {
  const { project, secrets, viewer } = await context(
    deps,
    actor,
    input.ref,
    input.reveal ?? false,
    'admin',
  );
  if ((LEGACY_KEY_IDS as readonly string[]).includes(input.id)) {
    throw invalid('Legacy keys cannot be deleted: they are signed with the project JWT secret');
  }
  const view = await deps.db.transaction(async (tx) => {
    const row = await findRow(tx, project.id, input.id);
    const before = keyView(row, secrets[SECRET_FIELD[row.type]], viewer);
    await tx.delete(projectApiKeys).where(eq(projectApiKeys.id, row.id));
    await rotate(tx, deps, project, row.type, {
      actor: actor.userId,
      action: 'project.api_key.delete',
      detail: {
        keyId: row.id,
        type: row.type,
        name: row.name,
        wasCompromised: input.wasCompromised ?? false,
        ...(input.reason ? { reason: input.reason.slice(0, 500) } : {}),
      },
    });
    return before;
  });
  deps.wakeJobs?.();
  return view;
}

/** Legacy JWT keys are always on: the stack's gateway accepts them. */
export async function legacyApiKeysStatus(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { ref: string } },
): Promise<{ enabled: boolean }> {
  await requireProject(deps, actor, input.ref, 'read');
  return { enabled: true };
}
