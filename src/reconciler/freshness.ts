import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { projects, type Project } from '../db/schema/index.js';
import type { Observed } from './decide.js';

export type CoolifyAction = NonNullable<Project['coolifyAction']>;

/**
 * Notes a start/restart/stop as asked of Coolify, before asking: a reply that is lost still
 * counts. Coolify only queues the action (ServicesController.php:2095,2192,2286@379abb25).
 */
export async function recordCoolifyAction(
  db: Tx,
  projectId: number,
  action: CoolifyAction,
): Promise<void> {
  await db
    .update(projects)
    .set({ coolifyAction: action, coolifyActionAt: new Date(), coolifyActionSeenAt: null })
    .where(eq(projects.id, projectId));
}

/**
 * How far Coolify's reported status can be trusted for a project, given its last action:
 * - `awaiting`: a restart was asked less than `lagMs` ago and Coolify has shown no sign of
 *   running it. Its status and the old containers (which the probe reaches) still predate it:
 *   RestartService only stops them when its queued job runs (StartService.php:22-24).
 * - `evidence`: this observation is that sign. A restart always passes through `exited`
 *   (StopService.php:52-53) and `starting:unhealthy` (the activity, Service.php:235), then
 *   `exited` again until ServerCheckJob refreshes the containers (ServerManagerJob.php:31), so
 *   this `exited` is Coolify's own, not a stop made outside Supaplane.
 * - `settled`: nothing of ours is pending.
 * Why not `last_online_at`: every status refresh re-stamps it, also one that runs after the
 * request but before the queued restart (GetContainersStatus.php:596-601), so it cannot tell
 * the old containers from the new. A start needs no waiting: it follows a stop, so the old
 * status is `exited` and any `running` reported after it is new.
 */
export function freshness(
  project: Pick<Project, 'coolifyAction' | 'coolifyActionAt' | 'coolifyActionSeenAt'>,
  observed: Observed,
  now: number,
  lagMs: number,
): 'awaiting' | 'evidence' | 'settled' {
  if (project.coolifyAction !== 'restart' || !project.coolifyActionAt) return 'settled';
  if (project.coolifyActionSeenAt) return 'settled';
  if (observed === 'stopped' || observed === 'starting') return 'evidence';
  // Past the lag the restart has run even if we missed its passing statuses (a slow tick).
  return now - project.coolifyActionAt.getTime() < lagMs ? 'awaiting' : 'settled';
}

export async function markActionSeen(db: Tx, projectId: number): Promise<void> {
  await db
    .update(projects)
    .set({ coolifyActionSeenAt: new Date() })
    .where(eq(projects.id, projectId));
}
