import { eq } from 'drizzle-orm';
import {
  createBackup,
  projectDatabase,
  ProjectDatabaseUnreachable,
  restoreBackup,
} from '../backups/index.js';
import { backups } from '../db/schema/index.js';
import { StepFailed, type StepContext } from './steps.js';

/**
 * Whether Supaplane can reach the database of the stack as it runs now. A v1 stack
 * publishes no database port (ADR 0003), so on the default route its pre-upgrade backup
 * is taken once the new stack serves the database, before any migration SQL runs
 * (ADR 0006): the swap itself leaves the data directory alone.
 */
export async function reachableBeforeSwap(ctx: StepContext): Promise<boolean> {
  try {
    await projectDatabase(ctx.deps, ctx.project);
    return true;
  } catch (err) {
    if (err instanceof ProjectDatabaseUnreachable) return false;
    throw err;
  }
}

/** A pre_upgrade backup of the database as the stack running `version` serves it. */
export async function preUpgradeBackup(ctx: StepContext, version: string): Promise<number> {
  const backup = await createBackup(
    ctx.deps,
    { ...ctx.project, templateVersion: version },
    { kind: 'pre_upgrade', actor: 'system' },
  );
  return backup.id;
}

export async function restoreFromBackup(ctx: StepContext, id: number): Promise<void> {
  const [backup] = await ctx.deps.db.select().from(backups).where(eq(backups.id, id));
  if (!backup) throw new StepFailed(`pre-upgrade backup ${id} is missing`);
  await restoreBackup(ctx.deps, backup, { into: 'same' });
}
