import type { TemplateVersion } from '../provisioner/template.js';

/** The forward steps, in order; each is safe to run again after a crash. */
export const FORWARD_STEPS = [
  'backup',
  'secrets',
  'stop',
  'compose',
  'env',
  'start',
  'await-db',
  'deferred-backup',
  'migrate',
  'await-healthy',
  'finish',
] as const;

/**
 * The way back. `unmigrate` (a no-op unless the migration may have run) comes first: the
 * database is reachable only while the new stack runs (v1 publishes no database port).
 */
export const ROLLBACK_STEPS = [
  'unmigrate',
  'stop',
  'compose',
  'env',
  'start',
  'await-healthy',
  'finish',
] as const;

export type UpgradeStep = (typeof FORWARD_STEPS)[number] | (typeof ROLLBACK_STEPS)[number];

/**
 * What the upgrade job persists in its payload after every step (jobs.payload), so a
 * restarted process resumes at the step it was in. No secret is ever stored here.
 */
export interface UpgradeState {
  from: TemplateVersion;
  to: TemplateVersion;
  phase: 'forward' | 'rollback';
  step: UpgradeStep;
  /** When the current step began (ms), for the health budget. */
  stepSince: number;
  /** Failed tries of the current step. */
  attempts: number;
  stopAsked?: boolean;
  backupId?: number;
  /** The old stack's database was unreachable: the backup waits for the new stack. */
  backupDeferred?: boolean;
  /** `started`: the migration may have committed (a crash or error mid-psql); `done`: it did. */
  migration: 'none' | 'started' | 'done';
  /** Set when the forward phase failed: the step and the readable error. */
  failedStep?: UpgradeStep;
  error?: string;
}

export function initialState(from: TemplateVersion, to: TemplateVersion): UpgradeState {
  return {
    from,
    to,
    phase: 'forward',
    step: 'backup',
    stepSince: Date.now(),
    attempts: 0,
    migration: 'none',
  };
}

/** The step after `step` in its phase, or undefined after the last. */
export function nextStep(state: UpgradeState): UpgradeStep | undefined {
  const steps: readonly UpgradeStep[] = state.phase === 'forward' ? FORWARD_STEPS : ROLLBACK_STEPS;
  return steps[steps.indexOf(state.step) + 1];
}

/**
 * Where a rollback starts for a failure at `failed`: before the stack was touched there is
 * nothing to undo, so it only records the failure; from the stop on, it puts the old
 * compose and env back and restarts.
 */
export function rollbackStart(failed: UpgradeStep): UpgradeStep {
  return FORWARD_STEPS.indexOf(failed as (typeof FORWARD_STEPS)[number]) <
    FORWARD_STEPS.indexOf('stop')
    ? 'finish'
    : 'unmigrate';
}

export const isUpgradeState = (v: unknown): v is UpgradeState =>
  typeof v === 'object' && v !== null && 'phase' in v && 'step' in v && 'from' in v;
