import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';
import { users } from './users.js';

/**
 * Dashboard users' second factors (TOTP), as GoTrue keeps them (auth.mfa_factors):
 * `unverified` until a first code is verified. The shared secret is an envelope.
 */
export const mfaFactors = pgTable(
  'mfa_factors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    friendlyName: text('friendly_name'),
    factorType: text('factor_type').notNull().default('totp'),
    status: text('status').notNull().default('unverified'),
    ...envelopeColumns(),
    /** The last TOTP time step accepted, so a code is never accepted twice (RFC 6238 §5.2). */
    lastStep: bigint('last_step', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('mfa_factors_user_idx').on(t.userId),
    uniqueIndex('mfa_factors_user_name_unique').on(t.userId, t.friendlyName),
  ],
);

/** A challenge answered by one verify (GoTrue's auth.mfa_challenges). */
export const mfaChallenges = pgTable('mfa_challenges', {
  id: uuid('id').primaryKey().defaultRandom(),
  factorId: uuid('factor_id')
    .notNull()
    .references(() => mfaFactors.id, { onDelete: 'cascade' }),
  ipAddress: text('ip_address').notNull(),
  verifiedAt: timestamp('verified_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export type MfaFactor = typeof mfaFactors.$inferSelect;
