import type { Deps } from '../context.js';
import type { Project } from '../db/schema/index.js';
import type { Provisioner } from '../provisioner/provisioner.js';
import { deliveryUrl, ensureDeliveryToken } from '../functions/delivery.js';
import { templateEnv } from '../provisioner/template.js';
import type { ProjectSecrets } from '../secrets/generate.js';
import { projectPublicUrl } from '../projects/urls.js';
import { SETTINGS } from './env-mapping.js';
import { projectSettingsEnv } from './project-settings.js';

/**
 * Writes the template's env and the project's settings to its Coolify service. A
 * setting that overrides a template variable (SITE_URL, JWT_EXPIRY…) is written once,
 * with the setting's value; settings are literal (users' text, `$` kept as is).
 * Returns every key written, so callers know what must not be removed.
 */
export async function applyStackEnv(
  deps: Pick<Deps, 'db' | 'keyring' | 'config'>,
  provisioner: Provisioner,
  stackId: string,
  project: Pick<Project, 'id' | 'ref' | 'templateVersion'>,
  secrets: ProjectSecrets,
): Promise<Set<string>> {
  const template = await projectTemplateEnv(deps, project, secrets);
  const settings = namedFor(project.templateVersion, await projectSettingsEnv(deps, project));
  for (const key of Object.keys(settings)) delete template[key];
  await provisioner.applyEnv(stackId, template);
  if (Object.keys(settings).length > 0) {
    await provisioner.applyEnv(stackId, settings, { literal: true });
  }
  return new Set([...Object.keys(template), ...Object.keys(settings)]);
}

/** The template's env for the project at its `templateVersion` (v2: with its function delivery). */
export async function projectTemplateEnv(
  deps: Pick<Deps, 'db' | 'keyring' | 'config'>,
  project: Pick<Project, 'id' | 'ref' | 'templateVersion'>,
  secrets: ProjectSecrets,
): Promise<Record<string, string>> {
  return templateEnv({
    version: project.templateVersion,
    ref: project.ref,
    publicUrl: projectPublicUrl(deps.config, project.ref),
    secrets,
    ...(project.templateVersion === 'v1'
      ? {}
      : {
          functions: {
            url: deliveryUrl(deps.config, project.ref),
            token: await ensureDeliveryToken(deps.db, deps.keyring, project.id),
          },
        }),
  });
}

const CONTAINER_NAME = new Map(SETTINGS.map((f) => [f.env, f.container]));

/**
 * v1's compose maps Supabase's docker/.env names (SITE_URL, JWT_EXPIRY…) into its
 * containers; v2's lines are all `KEY=${KEY}` under the container's own name
 * (coolify-templates/supabase/v2), so a setting is written under that name there.
 */
export function namedFor(version: string, env: Record<string, string>): Record<string, string> {
  if (version === 'v1') return env;
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [CONTAINER_NAME.get(key) ?? key, value]),
  );
}
