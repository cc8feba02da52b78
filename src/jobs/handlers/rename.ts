import { done, type JobHandler } from './types.js';

/**
 * Carries a rename over to the Coolify service. It reads the project's name when
 * it runs, so two quick renames end with the latest one, whatever their order.
 */
export const renameHandler: JobHandler = {
  // A stale name in Coolify is cosmetic: failing leaves the project's status alone.
  failure: { while: [], to: 'UNKNOWN' },
  waitBudgetMs: 0,
  async run({ provisioner, project }) {
    if (project.status === 'REMOVED' || project.status === 'GOING_DOWN') return done;
    if (project.coolifyServiceUuid) {
      await provisioner.rename(project.coolifyServiceUuid, project.name, project.ref);
    }
    return done;
  },
};
