import { bigint, boolean, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.js';
import { projects } from './projects.js';
import { users } from './users.js';

/** Studio's saved SQL snippets (and other content items), per project and owner. */
export const contentFolders = pgTable('content_folders', {
  id: uuid('id').primaryKey().defaultRandom(),
  projectId: bigint('project_id', { mode: 'number' })
    .notNull()
    .references(() => projects.id, { onDelete: 'cascade' }),
  ownerId: uuid('owner_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  parentId: uuid('parent_id'),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const contentItems = pgTable(
  'content_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    folderId: uuid('folder_id').references(() => contentFolders.id, { onDelete: 'set null' }),
    type: text('type').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    visibility: text('visibility').notNull().default('user'),
    favorite: boolean('favorite').notNull().default(false),
    content: jsonb('content').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('content_items_project_owner_idx').on(t.projectId, t.ownerId)],
);
