// Placeholder until the backups branch lands; replaced by calls into src/backups.
import type { StepContext } from './steps.js';

export async function preUpgradeBackup(_ctx: StepContext): Promise<number> {
  throw new Error('backups are not merged yet');
}
export async function restoreFromBackup(_ctx: StepContext, _id: number): Promise<void> {
  throw new Error('backups are not merged yet');
}
