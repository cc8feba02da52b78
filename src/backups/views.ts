import type { Backup, Project } from '../db/schema/index.js';

/**
 * Studio's logical-backup list item (apps/studio/data/database/backups-query.ts@477e8a0a
 * reads `BackupsResponse.backups[]`; backup-restore-mutation.ts@05d1f5b2 and
 * backup-download-mutation.ts@2272fe35 send back its `id`, `inserted_at`, `project_id`).
 * Supaplane's own fields ride along under names Studio ignores.
 */
export function studioBackup(b: Backup) {
  return {
    id: b.id,
    project_id: b.projectId,
    inserted_at: b.createdAt.toISOString(),
    isPhysicalBackup: false,
    status: b.status,
    kind: b.kind,
    size_bytes: b.sizeBytes,
    duration_ms: b.durationMs,
    sha256: b.sha256,
    template_version: b.templateVersion,
    postgres_version: b.postgresVersion,
    error: b.lastError,
  };
}

/** Studio's `BackupsResponse` and /v1's `V1BackupsResponse` share these fields. */
export function backupsResponse(project: Project, list: Backup[]) {
  return {
    region: project.serverUuid,
    walg_enabled: false,
    pitr_enabled: false,
    physicalBackupData: {},
    tierKey: 'FREE',
    backups: list.map(studioBackup),
  };
}

/** `V1BackupsResponse` exactly (openapi-v1.json, `v1-list-all-backups`). */
export function v1BackupsResponse(project: Project, list: Backup[]) {
  return {
    region: project.serverUuid,
    walg_enabled: false,
    pitr_enabled: false,
    backups: list.map((b) => ({
      is_physical_backup: false,
      status: b.status,
      inserted_at: b.createdAt.toISOString(),
    })),
    physical_backup_data: {},
  };
}
