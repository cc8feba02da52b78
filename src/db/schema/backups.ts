import { sql } from 'drizzle-orm';
import {
  bigint,
  date,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { bytea, createdAt, envelopeColumns, updatedAt } from './columns.js';
import { projects } from './projects.js';

export const BACKUP_KINDS = ['scheduled', 'manual', 'pre_upgrade'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** Studio's backup status enum (BackupsResponse), of which Supaplane uses these four. */
export const BACKUP_STATUSES = ['PENDING', 'COMPLETED', 'FAILED', 'REMOVED'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

/** One logical backup (pg_dump custom format, encrypted) of a project's database. */
export const backups = pgTable(
  'backups',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: BACKUP_KINDS }).notNull(),
    status: text('status', { enum: BACKUP_STATUSES }).notNull().default('PENDING'),
    /** The day a scheduled backup is for (UTC): one per project per day, whichever process takes it. */
    scheduledFor: date('scheduled_for', { mode: 'string' }),
    /** `local` or `s3`, and the object's key there. */
    storage: text('storage'),
    objectKey: text('object_key'),
    /** AES-256-GCM nonce and tag of the stored object, sealed under the backup's data key. */
    dataNonce: bytea('data_nonce'),
    dataTag: bytea('data_tag'),
    /** Hex sha256 of the stored (encrypted) bytes, checked before a restore touches anything. */
    sha256: text('sha256'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    durationMs: integer('duration_ms'),
    templateVersion: text('template_version'),
    postgresVersion: text('postgres_version'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    actor: text('actor').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('backups_project_idx').on(t.projectId, t.createdAt),
    uniqueIndex('backups_scheduled_once_idx')
      .on(t.projectId, t.scheduledFor)
      .where(sql`${t.kind} = 'scheduled'`),
  ],
);

export type Backup = typeof backups.$inferSelect;

/** Each backup's own data key, sealed by the keyring (src/keys/envelope-tables.ts). */
export const backupKeys = pgTable('backup_keys', {
  backupId: bigint('backup_id', { mode: 'number' })
    .primaryKey()
    .references(() => backups.id, { onDelete: 'cascade' }),
  ...envelopeColumns(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
