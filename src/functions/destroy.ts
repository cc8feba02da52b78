import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { edgeFunctions, functionDeliveryTokens } from '../db/schema/index.js';

/** A removed project's function code (versions cascade) and delivery token. */
export async function destroyProjectFunctions(tx: Tx, projectId: number): Promise<void> {
  await tx.delete(edgeFunctions).where(eq(edgeFunctions.projectId, projectId));
  await tx.delete(functionDeliveryTokens).where(eq(functionDeliveryTokens.projectId, projectId));
}
