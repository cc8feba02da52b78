import { eq } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Tx } from '../db/client.js';
import { projectSecrets } from '../db/schema/index.js';
import type { ProjectSecrets } from './generate.js';

// The project id is the AAD: an envelope moved to another project's row fails to open.
export const projectSecretsAad = (projectId: number) => `project-secrets:${projectId}`;
const aadFor = projectSecretsAad;

export async function saveProjectSecrets(
  tx: Tx,
  keyring: Keyring,
  projectId: number,
  secrets: ProjectSecrets,
): Promise<void> {
  const envelope = seal(keyring, JSON.stringify(secrets), aadFor(projectId));
  await tx
    .insert(projectSecrets)
    .values({ projectId, ...envelope })
    .onConflictDoUpdate({ target: projectSecrets.projectId, set: { ...envelope } });
}

export async function loadProjectSecrets(
  tx: Tx,
  keyring: Keyring,
  projectId: number,
): Promise<ProjectSecrets | undefined> {
  const [row] = await tx
    .select()
    .from(projectSecrets)
    .where(eq(projectSecrets.projectId, projectId));
  if (!row) return undefined;
  return JSON.parse(open(keyring, row, aadFor(projectId))) as ProjectSecrets;
}

export async function destroyProjectSecrets(tx: Tx, projectId: number): Promise<void> {
  await tx.delete(projectSecrets).where(eq(projectSecrets.projectId, projectId));
}
