import { recordCoolifyAction } from '../../reconciler/freshness.js';
import { done, type JobHandler } from './types.js';

// Pause, restore and restart only ask Coolify, noting the request first (freshness.ts);
// the reconciler sees the result (exited → INACTIVE, running + probe → ACTIVE_HEALTHY,
// for a restart only once Coolify has shown it ran it) or its absence (past the settle
// timeout → *_FAILED).

export const pauseHandler: JobHandler = {
  failure: { while: ['PAUSING'], to: 'PAUSE_FAILED' },
  waitBudgetMs: 0,
  async run({ deps, provisioner, project }) {
    if (project.status !== 'PAUSING') return done;
    if (!project.coolifyServiceUuid) return done;
    await recordCoolifyAction(deps.db, project.id, 'stop');
    await provisioner.stop(project.coolifyServiceUuid);
    return done;
  },
};

export const restoreHandler: JobHandler = {
  failure: { while: ['RESTORING'], to: 'RESTORE_FAILED' },
  waitBudgetMs: 0,
  async run({ deps, provisioner, project }) {
    if (project.status !== 'RESTORING') return done;
    if (!project.coolifyServiceUuid)
      throw new Error(`project ${project.ref} has no Coolify service`);
    await recordCoolifyAction(deps.db, project.id, 'start');
    await provisioner.start(project.coolifyServiceUuid);
    return done;
  },
};

export const restartHandler: JobHandler = {
  // The enum has no RESTART_FAILED: a restart that cannot be sent leaves the stack as it was.
  failure: { while: ['RESTARTING'], to: 'ACTIVE_UNHEALTHY' },
  waitBudgetMs: 0,
  async run({ deps, provisioner, project }) {
    if (project.status !== 'RESTARTING') return done;
    if (!project.coolifyServiceUuid)
      throw new Error(`project ${project.ref} has no Coolify service`);
    await recordCoolifyAction(deps.db, project.id, 'restart');
    await provisioner.restart(project.coolifyServiceUuid);
    return done;
  },
};
