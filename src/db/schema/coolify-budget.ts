import { bigserial, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The Coolify request budget every Supaplane process on this database shares (Coolify limits
 * per user, not per process). One row per Coolify instance: locked while a call is admitted,
 * and paused after a 429 until `paused_until`.
 */
export const coolifyBudget = pgTable('coolify_budget', {
  key: text('key').primaryKey(),
  pausedUntil: timestamp('paused_until', { withTimezone: true }),
});

/** The calls admitted in the last minute, per budget (older rows are deleted as calls come). */
export const coolifyBudgetCalls = pgTable(
  'coolify_budget_calls',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    key: text('key').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('coolify_budget_calls_key_sent_idx').on(t.key, t.sentAt)],
);
