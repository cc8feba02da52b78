import type { JobKind } from '../queue.js';
import { applyEnvHandler } from './apply-env.js';
import {
  backupHandler,
  backupRestoreHandler,
  backupRestoreWhenUpHandler,
} from '../../backups/jobs.js';
import { createHandler } from './create.js';
import { deleteHandler } from './delete.js';
import { initSqlHandler } from './init-sql.js';
import { pauseHandler, restartHandler, restoreHandler } from './power.js';
import { renameHandler } from './rename.js';
import type { JobHandler } from './types.js';
import { upgradeHandler } from '../../upgrades/job.js';

export const HANDLERS: Record<JobKind, JobHandler> = {
  create: createHandler,
  pause: pauseHandler,
  restore: restoreHandler,
  restart: restartHandler,
  delete: deleteHandler,
  'apply-env': applyEnvHandler,
  rename: renameHandler,
  'init-sql': initSqlHandler,
  upgrade: upgradeHandler,
  backup: backupHandler,
  'backup-restore': backupRestoreHandler,
  'backup-restore-when-up': backupRestoreWhenUpHandler,
};
