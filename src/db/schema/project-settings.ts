import { bigint, jsonb, pgTable } from 'drizzle-orm/pg-core';
import { createdAt, envelopeColumns, updatedAt } from './columns.js';
import { projects } from './projects.js';

/**
 * A project's settings that differ from the template's (auth, Data API, storage),
 * keyed by area and by the names Studio uses (src/settings/env-mapping.ts). Secret
 * settings (SMTP password, OAuth secrets) are not here but in
 * project_setting_secrets, as one envelope.
 */
export const projectSettings = pgTable('project_settings', {
  projectId: bigint('project_id', { mode: 'number' })
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  values: jsonb('values')
    .$type<Record<string, Record<string, string | number | boolean | null>>>()
    .notNull()
    .default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Secret settings as one AES-256-GCM envelope of `{ key: value }`. */
export const projectSettingSecrets = pgTable('project_setting_secrets', {
  projectId: bigint('project_id', { mode: 'number' })
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  ...envelopeColumns(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
