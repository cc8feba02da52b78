import { bigint, pgEnum, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';
import { projects } from './projects.js';

export const apiKeyTypeEnum = pgEnum('api_key_type', ['publishable', 'secret']);

/**
 * Metadata of a project's new-style keys. The stack supports one publishable and
 * one secret key (its gateway maps each to a role), so a type appears at most once.
 * The key value itself lives in the project's secrets envelope.
 */
export const projectApiKeys = pgTable(
  'project_api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    type: apiKeyTypeEnum('type').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('project_api_keys_one_per_type').on(t.projectId, t.type)],
);

/** Edge-function secrets, each its own envelope, applied to the stack through Coolify env. */
export const functionSecrets = pgTable(
  'function_secrets',
  {
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    ...envelopeColumns(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('function_secrets_project_name').on(t.projectId, t.name)],
);
