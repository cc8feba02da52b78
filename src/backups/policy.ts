import { createHash } from 'node:crypto';
import { eq, or } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import {
  backupPolicies,
  projects,
  type BackupKind,
  type BackupPolicy,
} from '../db/schema/index.js';

export interface EffectivePolicy {
  enabled: boolean;
  /** Minutes after midnight UTC the daily backup is due. */
  timeOfDayMinutes: number;
  retention: Record<BackupKind, number>;
}

/**
 * A project's time of day when nothing sets one: spread over the day by a hash of its
 * ref, so one server's projects are not all dumped at midnight.
 */
export function spreadTimeOfDay(ref: string): number {
  return createHash('sha256').update(ref).digest().readUInt32BE(0) % 1440;
}

/** Project settings win over its organization's, which win over the configuration. */
export async function effectivePolicy(
  deps: Pick<Deps, 'db' | 'config'>,
  projectId: number,
): Promise<EffectivePolicy> {
  const [project] = await deps.db.select().from(projects).where(eq(projects.id, projectId));
  if (!project) throw new Error(`project ${projectId} not found`);
  const rows = await deps.db
    .select()
    .from(backupPolicies)
    .where(
      or(
        eq(backupPolicies.projectId, projectId),
        eq(backupPolicies.organizationId, project.organizationId),
      ),
    );
  const own = rows.find((r) => r.projectId === projectId);
  const org = rows.find((r) => r.organizationId === project.organizationId);
  return resolvePolicy(deps.config, project.ref, own, org);
}

type PolicyRow = Pick<BackupPolicy, 'enabled' | 'timeOfDayMinutes' | 'retentionDaily'>;

/** effectivePolicy from rows already read: the project's own and its organization's. */
export function resolvePolicy(
  c: Config,
  ref: string,
  own: PolicyRow | null | undefined,
  org: PolicyRow | null | undefined,
): EffectivePolicy {
  return {
    enabled: own?.enabled ?? org?.enabled ?? c.SUPAPLANE_BACKUP_SCHEDULE,
    timeOfDayMinutes: own?.timeOfDayMinutes ?? org?.timeOfDayMinutes ?? spreadTimeOfDay(ref),
    retention: {
      scheduled: own?.retentionDaily ?? org?.retentionDaily ?? c.SUPAPLANE_BACKUP_RETENTION_DAILY,
      manual: c.SUPAPLANE_BACKUP_RETENTION_MANUAL,
      pre_upgrade: c.SUPAPLANE_BACKUP_RETENTION_PRE_UPGRADE,
    },
  };
}

export interface PolicyInput {
  enabled?: boolean | null;
  timeOfDayMinutes?: number | null;
  retentionDaily?: number | null;
}

/** Sets (upserts) the daily-backup settings of an organization or a project. */
export async function setPolicy(
  deps: Pick<Deps, 'db'>,
  scope: { organizationId: number } | { projectId: number },
  input: PolicyInput,
): Promise<void> {
  const target = 'projectId' in scope ? backupPolicies.projectId : backupPolicies.organizationId;
  await deps.db
    .insert(backupPolicies)
    .values({ ...scope, ...input })
    .onConflictDoUpdate({ target, set: { ...input, updatedAt: new Date() } });
}
