import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import { functionSecrets } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import { loadTemplate, referencedVariables, secretKeysFor } from '../provisioner/template.js';
import { loadProjectSecrets } from '../secrets/store.js';
import { requireProject } from '../members/access.js';
import { checkSecretName, deliveredName } from './function-secret-names.js';
import { lockProjectForEnvChange, scheduleEnvApply } from '../projects/env-changes.js';
import { projectPublicUrl } from '../projects/urls.js';

/**
 * Edge-function secrets: one AES-256-GCM envelope per secret under the user's name,
 * applied to the stack as Coolify env vars under the name its template version
 * delivers them as (function-secret-names.ts). /v1 and Studio list the user's names.
 */

// The project id and name are the AAD: an envelope moved to another row fails to open.
export const functionSecretAad = (projectId: number, name: string) =>
  `function-secret:${projectId}:${name}`;
const aadFor = functionSecretAad;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export interface SecretView {
  name: string;
  /** A sha256 digest of the value, as the Supabase API lists secrets; never the value. */
  value: string;
  updated_at?: string;
}

/**
 * Every function secret in clear, for the apply-env job, keyed by the env row it is
 * delivered as (see function-secret-names.ts); the user's names stay in our table.
 */
export async function functionSecretsEnv(
  tx: Tx,
  keyring: Keyring,
  project: { id: number; templateVersion: string },
): Promise<Record<string, string>> {
  const rows = await tx
    .select()
    .from(functionSecrets)
    .where(eq(functionSecrets.projectId, project.id));
  return Object.fromEntries(
    rows.map((r) => [
      deliveredName(project.templateVersion, r.name),
      open(keyring, r, aadFor(project.id, r.name)),
    ]),
  );
}

/**
 * Lists secrets as digests, with the SUPABASE_* values the functions container
 * gets from the stack itself, like Supabase's own list. SUPABASE_DB_URL is left
 * out: its digest would let any member test guesses of the database password.
 */
export async function listFunctionSecrets(
  deps: Pick<Deps, 'db' | 'keyring' | 'config'>,
  { actor, input }: { actor: Principal; input: { ref: string } },
): Promise<SecretView[]> {
  const { project } = await requireProject(deps, actor, input.ref, 'read');
  const rows = await deps.db
    .select()
    .from(functionSecrets)
    .where(eq(functionSecrets.projectId, project.id))
    .orderBy(functionSecrets.name);
  const builtIn: SecretView[] = [];
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (secrets) {
    const fixed: Record<string, string> = {
      SUPABASE_ANON_KEY: secrets.SUPABASE_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: secrets.SUPABASE_SERVICE_KEY,
      SUPABASE_URL: projectPublicUrl(deps.config, project.ref),
    };
    for (const [name, value] of Object.entries(fixed)) builtIn.push({ name, value: sha256(value) });
  }
  return [
    ...builtIn,
    ...rows.map((r) => ({
      name: r.name,
      value: sha256(open(deps.keyring, r, aadFor(project.id, r.name))),
      updated_at: r.updatedAt.toISOString(),
    })),
  ];
}

const MAX_VALUE = 24_576;

/** Env rows the stack itself uses: a delivered secret must not overwrite one. */
async function reservedNames(templateVersion: string): Promise<Set<string>> {
  const names = new Set<string>(referencedVariables(await loadTemplate(templateVersion)));
  for (const key of secretKeysFor(templateVersion)) names.add(key);
  return names;
}

/**
 * Coolify writes a value that is a valid JSON object or array into .env raw, ignoring
 * is_literal (app/Models/EnvironmentVariable.php:204-217@379abb25), and Docker Compose then
 * expands `$NAME` in it. Every other value is single-quoted (is_literal) and arrives as sent.
 */
function jsonThatComposeWouldExpand(value: string): boolean {
  if (!/^[[{]/.test(value) || !value.includes('$')) return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

function checkSecret(
  templateVersion: string,
  name: string,
  value: string,
  reserved: Set<string>,
): void {
  checkSecretName(templateVersion, name);
  // The user's name too: a secret called like a stack variable would only confuse.
  if (reserved.has(name) || reserved.has(deliveredName(templateVersion, name))) {
    throw invalid(`Secret name "${name}" is reserved by the project's stack`);
  }
  if (value.length > MAX_VALUE)
    throw invalid(`Secret ${name} is longer than ${MAX_VALUE} characters`);
  // Coolify writes values into a single-quoted .env line and trims them.
  if (/['\r\n\0]/.test(value) || value !== value.trim()) {
    throw invalid(
      `Secret ${name}: values cannot contain quotes (') or line breaks, nor start or end with whitespace`,
    );
  }
  if (jsonThatComposeWouldExpand(value)) {
    throw invalid(
      `Secret ${name}: a JSON object or array containing $ cannot be passed through Coolify unchanged (Coolify writes JSON values unquoted, so Docker Compose would expand $); encode it, e.g. as base64`,
    );
  }
}

/** Creates or replaces secrets, then applies them (restarting a running stack). */
export async function setFunctionSecrets(
  deps: Deps,
  {
    actor,
    input,
  }: { actor: Principal; input: { ref: string; secrets: { name: string; value: string }[] } },
): Promise<void> {
  const { project } = await requireProject(deps, actor, input.ref, 'write');
  if (input.secrets.length === 0) throw invalid('At least one secret is required');
  const reserved = await reservedNames(project.templateVersion);
  const byName = new Map<string, string>();
  for (const s of input.secrets) {
    checkSecret(project.templateVersion, s.name, s.value, reserved);
    byName.set(s.name, s.value); // the last of duplicate names wins
  }
  await deps.db.transaction(async (tx) => {
    const locked = await lockProjectForEnvChange(tx, project.id);
    for (const [name, value] of byName) {
      const envelope = seal(deps.keyring, value, aadFor(project.id, name));
      await tx
        .insert(functionSecrets)
        .values({ projectId: project.id, name, ...envelope })
        .onConflictDoUpdate({
          target: [functionSecrets.projectId, functionSecrets.name],
          set: { ...envelope, updatedAt: new Date() },
        });
    }
    await scheduleEnvApply(tx, locked, {
      actor: actor.userId,
      action: 'project.secrets.set',
      detail: { names: [...byName.keys()] },
    });
  });
  deps.wakeJobs?.();
}

/** Deletes secrets by name (unknown names are ignored), then applies the change. */
export async function deleteFunctionSecrets(
  deps: Deps,
  { actor, input }: { actor: Principal; input: { ref: string; names: string[] } },
): Promise<void> {
  const { project } = await requireProject(deps, actor, input.ref, 'write');
  const names = [...new Set(input.names)];
  if (names.length === 0) throw invalid('At least one secret name is required');
  await deps.db.transaction(async (tx) => {
    const locked = await lockProjectForEnvChange(tx, project.id);
    const deleted = await tx
      .delete(functionSecrets)
      .where(and(eq(functionSecrets.projectId, project.id), inArray(functionSecrets.name, names)))
      .returning({ name: functionSecrets.name });
    if (deleted.length === 0) return;
    await scheduleEnvApply(tx, locked, {
      actor: actor.userId,
      action: 'project.secrets.delete',
      detail: { names: deleted.map((d) => d.name) },
      removeKeys: deleted.map((d) => deliveredName(project.templateVersion, d.name)),
    });
  });
  deps.wakeJobs?.();
}
