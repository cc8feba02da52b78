import { sql } from 'drizzle-orm';
import { bigint, boolean, check, integer, pgTable } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { organizations } from './organizations.js';
import { projects } from './projects.js';

/**
 * Daily-backup settings of an organization or of one project (exactly one of the two).
 * Null fields inherit: project → organization → configuration.
 */
export const backupPolicies = pgTable(
  'backup_policies',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: bigint('organization_id', { mode: 'number' })
      .unique()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: bigint('project_id', { mode: 'number' })
      .unique()
      .references(() => projects.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled'),
    /** Minutes after midnight UTC; null spreads projects over the day by their ref. */
    timeOfDayMinutes: integer('time_of_day_minutes'),
    retentionDaily: integer('retention_daily'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('backup_policies_one_scope', sql`num_nonnulls(${t.organizationId}, ${t.projectId}) = 1`),
    check(
      'backup_policies_time_of_day',
      sql`${t.timeOfDayMinutes} is null or ${t.timeOfDayMinutes} between 0 and 1439`,
    ),
    check(
      'backup_policies_retention',
      sql`${t.retentionDaily} is null or ${t.retentionDaily} >= 1`,
    ),
  ],
);

export type BackupPolicy = typeof backupPolicies.$inferSelect;
