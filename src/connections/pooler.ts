import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { requireProject } from '../members/access.js';
import { poolerConfigView, v1PgbouncerView } from './views.js';

type ReadDeps = Pick<Deps, 'db' | 'readCache' | 'config'>;

/** GET /v1/projects/{ref}/config/database/pooler: the stack's PgBouncer, if it runs one. */
export async function getPoolerConfig(
  deps: ReadDeps,
  { actor, input }: { actor: Principal; input: { ref: string } },
) {
  const { project } = await requireProject(deps, actor, input.ref, 'read');
  return poolerConfigView(deps.config, project);
}

/** GET /v1/projects/{ref}/config/database/pgbouncer. */
export async function getPgbouncerConfig(
  deps: ReadDeps,
  { actor, input }: { actor: Principal; input: { ref: string } },
) {
  const { project } = await requireProject(deps, actor, input.ref, 'read');
  return v1PgbouncerView(deps.config, project);
}
