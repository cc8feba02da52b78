import { eq } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import { projectSettings, projectSettingSecrets } from '../db/schema/index.js';
import type { SettingsArea, SettingValue } from './env-mapping.js';

export interface StoredSettings {
  values: Partial<Record<SettingsArea, Record<string, SettingValue>>>;
  secrets: Record<string, string>;
}

// The project id is the AAD: an envelope moved to another project's row fails to open.
/** The AAD a project's secret settings are sealed with (src/keys/envelope-tables.ts reads it too). */
export const projectSettingSecretsAad = (projectId: number) =>
  `project-setting-secrets:${projectId}`;
const aadFor = projectSettingSecretsAad;

export async function loadSettings(
  tx: Tx,
  keyring: Keyring,
  projectId: number,
): Promise<StoredSettings> {
  const [row] = await tx
    .select()
    .from(projectSettings)
    .where(eq(projectSettings.projectId, projectId));
  const [secret] = await tx
    .select()
    .from(projectSettingSecrets)
    .where(eq(projectSettingSecrets.projectId, projectId));
  return {
    values: (row?.values ?? {}) as StoredSettings['values'],
    secrets: secret
      ? (JSON.parse(open(keyring, secret, aadFor(projectId))) as Record<string, string>)
      : {},
  };
}

export async function saveSettings(
  tx: Tx,
  keyring: Keyring,
  projectId: number,
  settings: StoredSettings,
): Promise<void> {
  await tx
    .insert(projectSettings)
    .values({ projectId, values: settings.values })
    .onConflictDoUpdate({ target: projectSettings.projectId, set: { values: settings.values } });
  const envelope = seal(keyring, JSON.stringify(settings.secrets), aadFor(projectId));
  await tx
    .insert(projectSettingSecrets)
    .values({ projectId, ...envelope })
    .onConflictDoUpdate({ target: projectSettingSecrets.projectId, set: { ...envelope } });
}
