import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { projects } from './projects.js';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'dead'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const jobStateEnum = pgEnum('job_state', JOB_STATES);

export const jobs = pgTable(
  'jobs',
  {
    /** Caller-supplied, so enqueueing the same work twice is a no-op. */
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    projectId: bigint('project_id', { mode: 'number' }).references(() => projects.id, {
      onDelete: 'set null',
    }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    state: jobStateEnum('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(10),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set when the job first started waiting for Coolify, bounding how long it may wait. */
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    lockedBy: text('locked_by'),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_claim_idx').on(t.state, t.runAt),
    index('jobs_project_idx').on(t.projectId, t.state),
  ],
);

export type Job = typeof jobs.$inferSelect;
