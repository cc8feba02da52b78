import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { instanceSecretAad } from '../auth/keys.js';
import { backupKeyAad } from '../backups/data-key.js';
import {
  edgeFunctionVersions,
  functionDeliveryTokens,
  backupKeys,
  functionSecrets,
  instanceSecrets,
  mfaFactors,
  projectSecrets,
  projectSettingSecrets,
} from '../db/schema/index.js';
import { mfaFactorAad } from '../mfa/factors.js';
import { projectSettingSecretsAad } from '../settings/store.js';
import { deliveryTokenAad } from '../functions/delivery.js';
import { functionSecretAad } from '../functions/function-secrets.js';
import { functionVersionAad } from '../functions/versions.js';
import { projectSecretsAad } from '../secrets/store.js';

/** A table whose rows are AES-256-GCM envelopes (`envelopeColumns()` in src/db/schema/columns.ts). */
export interface EnvelopeTable {
  table: PgTable;
  name: string;
  /** The columns that pick one row. */
  key: readonly string[];
  /** The AAD the row was sealed with, from its raw (snake_case) columns. */
  aad(row: Record<string, unknown>): string;
}

const entry = (table: PgTable, key: string[], aad: EnvelopeTable['aad']): EnvelopeTable => ({
  table,
  name: getTableConfig(table).name,
  key,
  aad,
});

/** Every place an envelope is stored; test/keys.test.ts checks the schema has no other. */
export const ENVELOPE_TABLES: readonly EnvelopeTable[] = [
  entry(projectSecrets, ['project_id'], (r) => projectSecretsAad(Number(r.project_id))),
  entry(functionSecrets, ['project_id', 'name'], (r) =>
    functionSecretAad(Number(r.project_id), String(r.name)),
  ),
  entry(instanceSecrets, ['name'], (r) => instanceSecretAad(String(r.name))),
  entry(projectSettingSecrets, ['project_id'], (r) =>
    projectSettingSecretsAad(Number(r.project_id)),
  ),
  entry(mfaFactors, ['id'], (r) => mfaFactorAad(String(r.id))),
  entry(edgeFunctionVersions, ['function_id', 'version', 'project_id'], (r) =>
    functionVersionAad(Number(r.project_id), String(r.function_id), Number(r.version)),
  ),
  entry(functionDeliveryTokens, ['project_id'], (r) => deliveryTokenAad(Number(r.project_id))),
  entry(backupKeys, ['backup_id'], (r) => backupKeyAad(Number(r.backup_id))),
];
