import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { RUNNING_STATUSES, type Project, type ProjectStatus } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { loadProjectSecrets } from '../secrets/store.js';
import { requireProject, type Access } from '../members/access.js';
import { projectGatewayUrl, projectPublicUrl } from '../projects/urls.js';

/** Where and how Supaplane reaches one project's own gateway (Kong) on a user's behalf. */
export interface ProjectGateway {
  project: Pick<Project, 'id' | 'ref' | 'name' | 'status'>;
  /** Names the project in messages: `Project "Shop" (abcd…)`. */
  label: string;
  /** Supaplane's address for the gateway, no trailing slash. */
  baseUrl: string;
  /** The address browsers use, for URLs handed back to Studio (signed and public URLs). */
  publicUrl: string;
  serviceKey: string;
  anonKey: string;
}

// A running project that does not answer gets a 502 naming it (see http/proxy/forward.ts),
// rather than a refusal based on a possibly stale status.
const SERVING: ReadonlySet<ProjectStatus> = new Set(RUNNING_STATUSES);

const WHY_NOT: Partial<Record<ProjectStatus, string>> = {
  INACTIVE: '(paused); restore it to browse its data',
  PAUSING: '(being paused); restore it once it is paused to browse its data',
  PAUSE_FAILED: '(pausing failed); restore or restart it to browse its data',
  COMING_UP: '(starting); its data can be browsed once it is ACTIVE_HEALTHY',
  RESTORING: '(being restored); its data can be browsed once it is ACTIVE_HEALTHY',
  RESTARTING: '(restarting); try again once it is ACTIVE_HEALTHY',
  UPGRADING: '(upgrading); try again once it is ACTIVE_HEALTHY',
  RESIZING: '(resizing); try again once it is ACTIVE_HEALTHY',
  GOING_DOWN: '(being deleted or shut down)',
  INIT_FAILED: '(it failed to start); see its status for the error',
  RESTORE_FAILED: '(restoring failed); try restoring it again',
};

export const projectLabel = (p: Pick<Project, 'ref' | 'name'>) => `Project "${p.name}" (${p.ref})`;

/**
 * The project's gateway and keys, if the caller may `access` the project and the
 * project is in a state that serves traffic. Non-members get 404, too weak a role
 * 403, and a project that is paused, starting or failed 503 saying so.
 */
export async function resolveGateway(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  { principal, ref, access }: { principal: Principal; ref: string; access: Access },
): Promise<ProjectGateway> {
  const { project } = await requireProject(deps, principal, ref, access);
  const label = projectLabel(project);
  if (!SERVING.has(project.status)) {
    throw new AppError(
      'upstream_unavailable',
      `${label} is ${project.status} ${WHY_NOT[project.status] ?? ''}`.trim(),
      { status: project.status },
    );
  }
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (!secrets) {
    throw new AppError('upstream_unavailable', `${label} has no stored API keys`, {
      status: project.status,
    });
  }
  return {
    project: { id: project.id, ref: project.ref, name: project.name, status: project.status },
    label,
    baseUrl: projectGatewayUrl(deps.config, project.ref),
    publicUrl: projectPublicUrl(deps.config, project.ref),
    serviceKey: secrets.SUPABASE_SERVICE_KEY,
    anonKey: secrets.SUPABASE_ANON_KEY,
  };
}
