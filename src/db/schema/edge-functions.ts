import {
  bigint,
  boolean,
  check,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';
import { projects } from './projects.js';

/** Management API function statuses (FunctionResponse.status), verbatim. */
export const FUNCTION_STATUSES = ['ACTIVE', 'REMOVED', 'THROTTLED'] as const;

/**
 * One Edge Function of a project. `version` is the version its stack serves (0 before
 * the first deploy); it moves only in the transaction that stores that version whole.
 */
export const edgeFunctions = pgTable(
  'edge_functions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: FUNCTION_STATUSES }).notNull().default('ACTIVE'),
    version: integer('version').notNull().default(0),
    verifyJwt: boolean('verify_jwt').notNull().default(true),
    entrypointPath: text('entrypoint_path'),
    importMapPath: text('import_map_path'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('edge_functions_project_slug').on(t.projectId, t.slug),
    check('edge_functions_version_nonnegative', sql`${t.version} >= 0`),
  ],
);

/**
 * Every deployed version of a function: its files as one AES-256-GCM envelope (the
 * bundle, see src/functions/bundle.ts) and the sha256 of that plaintext, which the
 * stack checks after download.
 */
export const edgeFunctionVersions = pgTable(
  'edge_function_versions',
  {
    functionId: uuid('function_id')
      .notNull()
      .references(() => edgeFunctions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    projectId: bigint('project_id', { mode: 'number' })
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    entrypointPath: text('entrypoint_path').notNull(),
    importMapPath: text('import_map_path'),
    staticPatterns: jsonb('static_patterns').$type<string[]>().notNull().default([]),
    verifyJwt: boolean('verify_jwt').notNull(),
    sha256: text('sha256').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    fileCount: integer('file_count').notNull(),
    ...envelopeColumns(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.functionId, t.version] })],
);

/** The token a project's stack fetches its function code with (one envelope per project). */
export const functionDeliveryTokens = pgTable('function_delivery_tokens', {
  projectId: bigint('project_id', { mode: 'number' })
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  ...envelopeColumns(),
  createdAt: createdAt(),
});

export type EdgeFunction = typeof edgeFunctions.$inferSelect;
export type EdgeFunctionVersion = typeof edgeFunctionVersions.$inferSelect;
