import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { organizations } from './organizations.js';

/** Supabase Cloud's project status enum, verbatim, so clients need no mapping. */
export const PROJECT_STATUSES = [
  'INACTIVE',
  'ACTIVE_HEALTHY',
  'ACTIVE_UNHEALTHY',
  'COMING_UP',
  'UNKNOWN',
  'GOING_DOWN',
  'INIT_FAILED',
  'REMOVED',
  'RESTORING',
  'UPGRADING',
  'PAUSING',
  'RESTORE_FAILED',
  'RESTARTING',
  'PAUSE_FAILED',
  'RESIZING',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const projectStatusEnum = pgEnum('project_status', PROJECT_STATUSES);

/**
 * States in which the stack is (or may well be) running. ACTIVE_UNHEALTHY and
 * UNKNOWN count: the gateway often still answers, and a failing health check must
 * not stop anyone from pausing, restarting or changing keys.
 */
export const RUNNING_STATUSES: readonly ProjectStatus[] = [
  'ACTIVE_HEALTHY',
  'ACTIVE_UNHEALTHY',
  'UNKNOWN',
];

export const projects = pgTable(
  'projects',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ref: text('ref').notNull().unique(),
    name: text('name').notNull(),
    organizationId: bigint('organization_id', { mode: 'number' })
      .notNull()
      .references(() => organizations.id),
    status: projectStatusEnum('status').notNull(),
    serverUuid: text('server_uuid').notNull(),
    coolifyProjectUuid: text('coolify_project_uuid'),
    coolifyServiceUuid: text('coolify_service_uuid'),
    templateVersion: text('template_version').notNull(),
    /**
     * The database image when it is not the template's own: a template upgrade keeps the
     * Postgres major the data directory was made by (docs/adr/0006-template-upgrades.md).
     */
    postgresImage: text('postgres_image'),
    lastError: text('last_error'),
    /**
     * The last start/restart/stop Supaplane asked of Coolify and when. Coolify only queues it
     * and keeps reporting the old status until its job runs (reconciler/freshness.ts).
     */
    coolifyAction: text('coolify_action', { enum: ['start', 'restart', 'stop'] }),
    coolifyActionAt: timestamp('coolify_action_at', { withTimezone: true }),
    /** When the reconciler first saw Coolify act on that request (a status that is not the old one). */
    coolifyActionSeenAt: timestamp('coolify_action_seen_at', { withTimezone: true }),
    /** Removed outside Supaplane: its secrets are kept until then, so it can be brought back. */
    secretsRetainedUntil: timestamp('secrets_retained_until', { withTimezone: true }),
    /** Times in a row the reconciler found the service missing (REMOVED needs more than one). */
    missingTicks: integer('missing_ticks').notNull().default(0),
    /** Something an operator should know that the status cannot say (e.g. leftovers on a host). */
    warning: text('warning'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The Supabase CLI only accepts refs of exactly 20 lowercase letters.
    check('projects_ref_format', sql`${t.ref} ~ '^[a-z]{20}$'`),
    index('projects_organization_idx').on(t.organizationId),
    // Studio's project list pages by name within an organization: an index in that
    // order lets Postgres read one page instead of sorting the whole organization.
    index('projects_organization_name_idx').on(t.organizationId, sql`lower(${t.name})`, t.id),
    index('projects_server_status_idx').on(t.serverUuid, t.status),
  ],
);

export type Project = typeof projects.$inferSelect;
