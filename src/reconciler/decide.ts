import type { ProjectStatus } from '../db/schema/index.js';
import type { freshness } from './freshness.js';

type Freshness = ReturnType<typeof freshness>;

/** What Coolify says about a stack, reduced to what the lifecycle cares about. */
export type Observed = 'missing' | 'running' | 'unhealthy' | 'starting' | 'stopped' | 'unknown';

/**
 * Coolify's status strings (API-NOTES §3): `running:healthy`, `running:unknown`,
 * `running:unhealthy`, `degraded:unhealthy`, `starting:*`, `restarting:*`,
 * `paused:*`, `exited`, plus `…:excluded` forms. `running:starting` counts as
 * running: the probe decides health.
 */
export function classify(status: string | undefined): Observed {
  if (status === undefined) return 'missing';
  const [state, health] = status.toLowerCase().split(':');
  switch (state) {
    case 'running':
      return health === 'unhealthy' ? 'unhealthy' : 'running';
    case 'degraded':
      return 'unhealthy';
    case 'starting':
    case 'restarting':
      return 'starting';
    case 'exited':
    case 'stopped':
    case 'paused':
      return 'stopped';
    default:
      return 'unknown';
  }
}

export type Decision =
  | { type: 'keep' }
  | { type: 'set'; to: ProjectStatus; reason: string }
  /** Set `to` only if the gateway probe passes; otherwise apply `onFailure`, if any. */
  | { type: 'probe'; to: ProjectStatus; onFailure?: { to: ProjectStatus; reason: string } };

const keep: Decision = { type: 'keep' };
const set = (to: ProjectStatus, reason: string): Decision => ({ type: 'set', to, reason });

/** States a lifecycle operation moves through on its way to ACTIVE_HEALTHY. */
const SETTLING: Partial<Record<ProjectStatus, ProjectStatus>> = {
  COMING_UP: 'INIT_FAILED',
  RESTORING: 'RESTORE_FAILED',
  RESTARTING: 'ACTIVE_UNHEALTHY',
  PAUSING: 'PAUSE_FAILED',
};

/**
 * The reconciler's rule table: from our status and Coolify's, what to do. Only
 * called for projects no job currently owns. `overdue` means the project has
 * sat in its status longer than the settle timeout; `fresh` whether Coolify's
 * status may still predate our last restart (see freshness.ts).
 */
export function decide(
  current: ProjectStatus,
  observed: Observed,
  overdue: boolean,
  fresh: Freshness = 'settled',
): Decision {
  if (current === 'REMOVED' || current === 'GOING_DOWN') return keep;
  if (observed === 'missing')
    return set('REMOVED', 'the Coolify service no longer exists (deleted in Coolify)');
  // Coolify has not run our restart yet: `running` and a passing probe are the old stack's.
  if (fresh === 'awaiting' && current === 'RESTARTING' && !overdue) return keep;
  // The `exited` of our own restart, never a stop made outside Supaplane.
  if (fresh === 'evidence' && observed === 'stopped' && current !== 'PAUSING') return keep;

  if (current === 'PAUSING') {
    if (observed === 'stopped') return set('INACTIVE', 'stopped');
    return overdue
      ? set('PAUSE_FAILED', `still ${observed} in Coolify after the stop request`)
      : keep;
  }
  const failure = SETTLING[current];
  if (failure) {
    if (observed === 'running') {
      return overdue
        ? {
            type: 'probe',
            to: 'ACTIVE_HEALTHY',
            onFailure: { to: failure, reason: 'did not become healthy in time' },
          }
        : { type: 'probe', to: 'ACTIVE_HEALTHY' };
    }
    return overdue
      ? set(failure, `did not become healthy in time (Coolify status: ${observed})`)
      : keep;
  }
  switch (observed) {
    case 'running':
      return current === 'ACTIVE_HEALTHY' ? keep : { type: 'probe', to: 'ACTIVE_HEALTHY' };
    case 'stopped':
      return ['ACTIVE_HEALTHY', 'ACTIVE_UNHEALTHY', 'UNKNOWN', 'PAUSE_FAILED'].includes(current)
        ? set('INACTIVE', 'stopped outside Supaplane (in Coolify)')
        : keep;
    case 'unhealthy':
      return current === 'ACTIVE_HEALTHY'
        ? set('ACTIVE_UNHEALTHY', 'Coolify reports unhealthy containers')
        : keep;
    default:
      return keep;
  }
}
