import { bigint, customType, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { projects } from './projects.js';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

/** All of a project's secrets as one AES-256-GCM envelope (see src/crypto/envelope.ts). */
export const projectSecrets = pgTable('project_secrets', {
  projectId: bigint('project_id', { mode: 'number' })
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  keyId: text('key_id').notNull(),
  nonce: bytea('nonce').notNull(),
  ciphertext: bytea('ciphertext').notNull(),
  tag: bytea('tag').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
