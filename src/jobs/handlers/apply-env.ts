import type { ProjectStatus } from '../../db/schema/index.js';
import { recordCoolifyAction } from '../../reconciler/freshness.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { functionSecretsEnv } from '../../functions/function-secrets.js';
import { applyStackEnv } from '../../settings/stack-env.js';
import { done, type JobHandler } from './types.js';

const APPLICABLE: readonly ProjectStatus[] = [
  'RESTARTING',
  'INACTIVE',
  'ACTIVE_HEALTHY',
  'ACTIVE_UNHEALTHY',
  'UNKNOWN',
];

/**
 * apply-env: writes the project's current keys, settings and function secrets to its
 * Coolify env (values are read now, so the latest of several changes wins),
 * removes secrets that were deleted, and restarts a RESTARTING stack. The
 * reconciler then takes RESTARTING to ACTIVE_HEALTHY once the gateway answers
 * with the new keys. A paused stack only gets the env; its next start uses it.
 */
export const applyEnvHandler: JobHandler = {
  failure: { while: ['RESTARTING'], to: 'ACTIVE_UNHEALTHY' },
  waitBudgetMs: 0,
  async run({ deps, provisioner, project, job }) {
    if (!APPLICABLE.includes(project.status)) return done; // deleted or paused meanwhile
    const stackId = project.coolifyServiceUuid;
    if (!stackId) throw new Error(`project ${project.ref} has no Coolify service`);
    const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
    if (!secrets) throw new Error(`secrets of project ${project.ref} are missing`);
    const written = await applyStackEnv(deps, provisioner, stackId, project, secrets);
    const functionEnv = await functionSecretsEnv(deps.db, deps.keyring, project);
    await provisioner.applyEnv(stackId, functionEnv, { literal: true });
    const removed = Array.isArray(job.payload.removeKeys)
      ? job.payload.removeKeys.filter(
          (k): k is string => typeof k === 'string' && !(k in functionEnv) && !written.has(k),
        )
      : [];
    await provisioner.removeEnv(stackId, removed);
    if (project.status === 'RESTARTING') {
      await recordCoolifyAction(deps.db, project.id, 'restart');
      await provisioner.restart(stackId);
    }
    return done;
  },
};
