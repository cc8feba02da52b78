import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { alias, type PgColumn } from 'drizzle-orm/pg-core';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
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

const ownPolicy = alias(backupPolicies, 'own_policy');
const organizationPolicy = alias(backupPolicies, 'organization_policy');

/**
 * `columns` of projects, each with its own and its organization's policy row (null
 * where none is set): what resolvePolicy takes, in one read for any number of projects.
 */
export function withPolicies<T extends Record<string, PgColumn>>(db: Tx, columns: T) {
  return db
    .select({ project: columns, own: ownPolicy, org: organizationPolicy })
    .from(projects)
    .leftJoin(ownPolicy, eq(ownPolicy.projectId, projects.id))
    .leftJoin(organizationPolicy, eq(organizationPolicy.organizationId, projects.organizationId));
}

/** Project settings win over its organization's, which win over the configuration. */
export async function effectivePolicy(
  deps: Pick<Deps, 'db' | 'config'>,
  projectId: number,
): Promise<EffectivePolicy> {
  const [row] = await withPolicies(deps.db, { ref: projects.ref }).where(
    eq(projects.id, projectId),
  );
  if (!row) throw new Error(`project ${projectId} not found`);
  return resolvePolicy(deps.config, row.project.ref, row.own, row.org);
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
