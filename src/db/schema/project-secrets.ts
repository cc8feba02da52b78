import { bigint, pgTable } from 'drizzle-orm/pg-core';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';
import { projects } from './projects.js';

/** All of a project's secrets as one AES-256-GCM envelope (see src/crypto/envelope.ts). */
export const projectSecrets = pgTable('project_secrets', {
  projectId: bigint('project_id', { mode: 'number' })
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  ...envelopeColumns(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
