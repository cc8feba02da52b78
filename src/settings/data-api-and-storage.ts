import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { invalid } from '../errors.js';
import { roleAllows } from '../members/access.js';
import { postgrestConfigView, projectSecretsOf, storageConfigView } from '../projects/views.js';
import { fieldsOf, type SettingsArea } from './env-mapping.js';
import { effectiveValue, readSettings, updateSettings } from './project-settings.js';
import type { StoredSettings } from './store.js';

/**
 * The Data API (PostgREST) and storage settings pages: the template's values with the
 * project's settings overlaid. `db_schema: ''` is how Studio shows the Data API off.
 */
function overlay(
  area: SettingsArea,
  base: Record<string, unknown>,
  stored: StoredSettings,
  publicUrl: string,
) {
  for (const field of fieldsOf(area)) base[field.key] = effectiveValue(field, stored, publicUrl);
  return base;
}

export async function getPostgrestConfig(
  deps: Pick<Deps, 'db' | 'keyring' | 'config' | 'readCache'>,
  { principal, ref }: { principal: Principal; ref: string },
) {
  const { project, role, stored, publicUrl } = await readSettings(deps, { principal, ref });
  const secrets = await projectSecretsOf(deps, project);
  const view: Record<string, unknown> = postgrestConfigView(secrets, roleAllows(role, 'admin'));
  return overlay('postgrest', view, stored, publicUrl);
}

export async function getStorageConfig(
  deps: Pick<Deps, 'db' | 'keyring' | 'config' | 'readCache'>,
  { principal, ref }: { principal: Principal; ref: string },
) {
  const { stored, publicUrl } = await readSettings(deps, { principal, ref });
  return overlay('storage', storageConfigView(), stored, publicUrl);
}

type Patchable = Pick<Deps, 'db' | 'keyring' | 'config' | 'readCache' | 'wakeJobs'>;

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('The body must be a JSON object of settings');
  }
  return body as Record<string, unknown>;
}

export async function updatePostgrestConfig(
  deps: Patchable,
  { principal, ref, body }: { principal: Principal; ref: string; body: unknown },
) {
  const fixed = await getPostgrestConfig(deps, { principal, ref });
  await updateSettings(deps, {
    principal,
    ref,
    patch: { area: 'postgrest', changes: objectBody(body), fixed },
  });
  return getPostgrestConfig(deps, { principal, ref });
}

export async function updateStorageConfig(
  deps: Patchable,
  { principal, ref, body }: { principal: Principal; ref: string; body: unknown },
) {
  const fixed = await getStorageConfig(deps, { principal, ref });
  await updateSettings(deps, {
    principal,
    ref,
    patch: { area: 'storage', changes: objectBody(body), fixed },
  });
  return getStorageConfig(deps, { principal, ref });
}
