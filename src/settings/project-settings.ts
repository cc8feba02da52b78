import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { requireProject } from '../members/access.js';
import { lockProjectForEnvChange, scheduleEnvApply } from '../projects/env-changes.js';
import { projectPublicUrl } from '../projects/urls.js';
import {
  fieldOf,
  settingsEnv,
  type SettingField,
  type SettingsArea,
  type SettingValue,
} from './env-mapping.js';
import { loadSettings, saveSettings, type StoredSettings } from './store.js';
import { parseSettingValue } from './validate.js';
import { invalid } from '../errors.js';

/**
 * Reading and changing a project's settings. A change is validated field by field,
 * stored (secrets as an envelope), and applied as the stack's env through the
 * apply-env job: a running stack restarts (RESTARTING, then back once healthy), a
 * paused one gets the env for its next start. Audit rows name the fields, never
 * their values.
 */

/** A field's effective value: stored, or the template's (SITE_URL: the project's URL). */
export function effectiveValue(
  field: SettingField,
  stored: StoredSettings,
  publicUrl: string,
): SettingValue {
  if (field.secret) return stored.secrets[field.key] ?? null;
  const value = stored.values[field.area]?.[field.key];
  if (value !== undefined) return value;
  return field.key === 'SITE_URL' ? publicUrl : field.default;
}

export interface SettingsPatch {
  area: SettingsArea;
  /** Field → new value, keyed as Studio names them. */
  changes: Record<string, unknown>;
  /**
   * What the caller's GET showed for fields Supaplane cannot change: sending them
   * back unchanged (Studio's forms send every field) is fine, changing them is a 400.
   */
  fixed: Record<string, unknown>;
  /** How a key is named in error messages (the /v1 spelling differs). */
  nameOf?: (key: string) => string;
}

export async function readSettings(
  deps: Pick<Deps, 'db' | 'keyring' | 'config' | 'readCache'>,
  { principal, ref }: { principal: Principal; ref: string },
) {
  const { project, role } = await requireProject(deps, principal, ref, 'read');
  const stored = await loadSettings(deps.db, deps.keyring, project.id);
  return { project, role, stored, publicUrl: projectPublicUrl(deps.config, project.ref) };
}

export async function updateSettings(
  deps: Pick<Deps, 'db' | 'keyring' | 'config' | 'readCache' | 'wakeJobs'>,
  { principal, ref, patch }: { principal: Principal; ref: string; patch: SettingsPatch },
): Promise<void> {
  const { project } = await requireProject(deps, principal, ref, 'admin');
  const nameOf = patch.nameOf ?? ((k: string) => k);
  const publicUrl = projectPublicUrl(deps.config, project.ref);
  // Parse everything before touching the database: one bad field changes nothing.
  const parsed: [SettingField, SettingValue | undefined][] = [];
  for (const [key, raw] of Object.entries(patch.changes)) {
    if (raw === undefined) continue;
    const field = fieldOf(patch.area, key);
    if (!field) {
      if (key in patch.fixed && JSON.stringify(patch.fixed[key]) !== JSON.stringify(raw)) {
        throw invalid(`${nameOf(key)}: cannot be changed in Supaplane`, { field: nameOf(key) });
      }
      continue;
    }
    // A secret sent back as null (it is never shown) means "keep it".
    if (field.secret && raw === null) continue;
    parsed.push([field, parseSettingValue(field, nameOf(key), raw)]);
  }
  let changed = false;
  await deps.db.transaction(async (tx) => {
    const locked = await lockProjectForEnvChange(tx, project.id);
    const stored = await loadSettings(tx, deps.keyring, project.id);
    const before = settingsEnv(publicUrl, stored.values, stored.secrets);
    const next: StoredSettings = {
      values: structuredClone(stored.values),
      secrets: { ...stored.secrets },
    };
    const fields: string[] = [];
    for (const [field, value] of parsed) {
      if (value === effectiveValue(field, stored, publicUrl)) continue;
      fields.push(nameOf(field.key));
      if (field.secret) {
        if (value === null) delete next.secrets[field.key];
        else next.secrets[field.key] = String(value);
      } else {
        (next.values[field.area] ??= {})[field.key] = value ?? null;
      }
    }
    if (fields.length === 0) return;
    changed = true;
    await saveSettings(tx, deps.keyring, project.id, next);
    const after = settingsEnv(publicUrl, next.values, next.secrets);
    await scheduleEnvApply(tx, locked, {
      actor: principal.userId,
      action: `project.settings.${patch.area}`,
      detail: { fields },
      removeKeys: Object.keys(before).filter((k) => !(k in after)),
    });
  });
  if (changed) deps.wakeJobs?.();
}

/** The settings' env for the apply-env and create jobs. */
export async function projectSettingsEnv(
  deps: Pick<Deps, 'db' | 'keyring' | 'config'>,
  project: { id: number; ref: string },
): Promise<Record<string, string>> {
  const stored = await loadSettings(deps.db, deps.keyring, project.id);
  return settingsEnv(projectPublicUrl(deps.config, project.ref), stored.values, stored.secrets);
}
