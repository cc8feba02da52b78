import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';

/**
 * Secrets of the Supaplane instance itself (not of a project), each an AES-256-GCM
 * envelope, e.g. the key that signs dashboard sessions: stored sealed rather than
 * derived from the encryption key, so rotating that key re-seals it and keeps its value.
 */
export const instanceSecrets = pgTable('instance_secrets', {
  name: text('name').primaryKey(),
  ...envelopeColumns(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
