/**
 * Backups and restore of a project's database (issue 13).
 *
 * Primitives, which run now, change no project status and call no Coolify (for jobs
 * that own the project, such as upgrades):
 *
 * - `createBackup(deps, project, { kind, actor? })` → the COMPLETED `Backup` row, or
 *   throws (the row is then kept with `last_error`; call `markBackupFailed` to give up).
 *   `kind`: 'scheduled' | 'manual' | 'pre_upgrade'; each kind has its own retention.
 * - `restoreBackup(deps, backup, { into: 'same' | { project } })` → resolves once the
 *   target's database holds the backup, or throws with the previous database intact.
 *   The caller restarts the stack afterwards (services hold connections to the old one).
 * - `requestBackup(deps, { actor, project, kind? })` / `requestRestore(deps, { actor,
 *   project, backupId, into? })` (service.ts): the same as durable jobs, with status
 *   changes and audit rows, for transports. `scheduleDueBackups(deps, now)` is one pass
 *   of the daily schedule.
 * - `projectDatabase(deps, project)` (src/database/project-database.ts): how Supaplane
 *   reaches a project's Postgres; throws `ProjectDatabaseUnreachable` (an AppError
 *   'precondition') for a v1 project on the default route.
 *
 * What is dumped: the whole database in pg_dump's custom format, as supabase_admin, so
 * `auth`, `storage`, `supabase_functions` and every extension's schema come back as they
 * were, migration tables included. Upstream's `supabase db dump` instead splits roles,
 * schema without Supabase's schemas, and data without migration tables
 * (apps/cli-go/pkg/migration/dump.go:21-75@1d1e7191, scripts/dump_data.sh), because its
 * target is a new project whose image already created those schemas at its own version.
 * A Supaplane restore goes into an empty database of the same cluster (roles are
 * cluster-wide and already there) behind the same stack version, so the exact schema
 * of the dump is what its services expect.
 */
export { createBackup } from './api.js';
export { markBackupFailed, runBackup, type BackupDeps } from './create.js';
export { restoreBackup, type RestoreOptions } from './restore.js';
export { decryptedDump, fetchVerified } from './read.js';
export { applyRetention } from './retention.js';
export { effectivePolicy, setPolicy, spreadTimeOfDay } from './policy.js';
export { scheduleDueBackups, startBackupSchedule } from './schedule.js';
export { getBackup, listBackups, requestBackup, requestRestore } from './service.js';
export {
  ProjectDatabaseUnreachable,
  projectDatabase,
  type ProjectDatabase,
} from '../database/project-database.js';
