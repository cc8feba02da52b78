import { and, eq, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { Config } from '../config/config.js';
import type { Deps } from '../context.js';
import { jobs, projects, type Project, type ProjectStatus } from '../db/schema/index.js';
import { loadProjectSecrets } from '../secrets/store.js';
import { purgeExpiredSecrets } from '../secrets/retention.js';
import { transition } from '../projects/transitions.js';
import { projectGatewayUrl } from '../projects/urls.js';
import type { ObservedStack } from '../provisioner/provisioner.js';
import { mapLimit } from '../util/map-limit.js';
import { classify, decide, type Decision } from './decide.js';
import { freshness, markActionSeen } from './freshness.js';
import { confirmMissing } from './missing.js';
import { probeGateway, type ProbeResult } from './probe.js';

export interface ReconcileOptions {
  /** How long a project may sit in COMING_UP, RESTORING… before it counts as failed. */
  settleTimeoutMs: number;
  probeConcurrency: number;
  probe: (gatewayUrl: string, anonKey: string) => Promise<ProbeResult>;
  /** How long Coolify's status may lag behind a restart we asked for (freshness.ts). */
  statusLagMs: number;
  /** How long the secrets of a project removed outside Supaplane are kept. */
  secretRetentionMs: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  settleTimeoutMs: 10 * 60_000,
  probeConcurrency: 16,
  probe: probeGateway,
  // Two of Coolify's self-hosted status refreshes (ServerManagerJob.php:31@379abb25).
  statusLagMs: 2 * 60_000,
  secretRetentionMs: 7 * 24 * 3600_000,
};

/** The reconcile options a configuration asks for. */
export function reconcileOptions(config: Config): ReconcileOptions {
  return {
    ...DEFAULT_RECONCILE_OPTIONS,
    settleTimeoutMs: config.SUPAPLANE_SETTLE_TIMEOUT_MS,
    statusLagMs: config.SUPAPLANE_COOLIFY_STATUS_LAG_MS,
    secretRetentionMs: config.SUPAPLANE_REMOVED_SECRETS_RETENTION_MS,
  };
}

/**
 * The columns a tick decides on. Every tick reads every live project, so at 1,000
 * projects mapping whole rows (six timestamps each) was most of the tick's own time.
 */
const WATCHED = {
  id: projects.id,
  ref: projects.ref,
  organizationId: projects.organizationId,
  status: projects.status,
  serverUuid: projects.serverUuid,
  coolifyServiceUuid: projects.coolifyServiceUuid,
  coolifyAction: projects.coolifyAction,
  coolifyActionAt: projects.coolifyActionAt,
  coolifyActionSeenAt: projects.coolifyActionSeenAt,
  missingTicks: projects.missingTicks,
  statusChangedAt: projects.statusChangedAt,
};
export type Watched = Pick<Project, keyof typeof WATCHED>;

export interface TickReport {
  projects: number;
  coolifyCalls: number;
  probes: number;
  changes: { ref: string; from: ProjectStatus; to: ProjectStatus; reason: string }[];
  failedServers: string[];
  orphansRemoved: number;
  secretsPurged: number;
}

/**
 * One reconcile pass: one Coolify call per server, then a status decision per
 * project. Projects a job currently owns are left to that job.
 */
export async function reconcileOnce(
  deps: Deps,
  options: ReconcileOptions = DEFAULT_RECONCILE_OPTIONS,
): Promise<TickReport> {
  const report: TickReport = {
    projects: 0,
    coolifyCalls: 0,
    probes: 0,
    changes: [],
    failedServers: [],
    orphansRemoved: 0,
    secretsPurged: 0,
  };
  const provisioner = deps.provisioner;
  if (!provisioner) return report;
  // init-sql waits for the project to come up and changes no status, and a backup only
  // reads the database, and a restore into a new project waits for it to come up like
  // init-sql: none of them owns the project.
  const owned = sql`exists (select 1 from ${jobs} where ${jobs.projectId} = ${projects.id} and ${jobs.state} in ('queued', 'running') and ${jobs.kind} not in ('init-sql', 'backup', 'backup-restore-when-up'))`;
  const live: Watched[] = await deps.db
    .select(WATCHED)
    .from(projects)
    .where(
      and(
        notInArray(projects.status, ['REMOVED', 'GOING_DOWN']),
        isNotNull(projects.coolifyServiceUuid),
        sql`not ${owned}`,
      ),
    );
  report.projects = live.length;
  const byServer = new Map<string, Watched[]>();
  for (const p of live) {
    const list = byServer.get(p.serverUuid);
    if (list) list.push(p);
    else byServer.set(p.serverUuid, [p]);
  }
  const byRef = new Map(live.map((p) => [p.ref, p]));
  const orphans: { project: Watched; stackId: string }[] = [];
  const now = Date.now();
  const work: { project: Watched; decision: Decision; coolifyStatus: string }[] = [];
  const seen: Watched[] = [];
  const missing: Watched[] = [];
  await mapLimit([...byServer.keys()], 4, async (server) => {
    report.coolifyCalls++;
    let stacks: ObservedStack[];
    try {
      stacks = await provisioner.observe(server);
    } catch (err) {
      report.failedServers.push(server);
      deps.log.warn(
        { server, error: (err as Error).message },
        'reconcile: cannot read server resources',
      );
      return;
    }
    const statuses = new Map(stacks.map((s) => [s.id, s.status]));
    orphans.push(...findOrphans(stacks, byRef));
    for (const project of byServer.get(server)!) {
      const coolifyStatus = statuses.get(project.coolifyServiceUuid!);
      const observed = classify(coolifyStatus);
      const overdue = now - project.statusChangedAt.getTime() > options.settleTimeoutMs;
      const fresh = freshness(project, observed, now, options.statusLagMs);
      if (fresh === 'evidence' || (observed !== 'missing' && project.missingTicks > 0))
        seen.push(project);
      const decision = decide(project.status, observed, overdue, fresh);
      // One listing without the service is no proof it was deleted (missing.ts).
      if (observed === 'missing' && decision.type === 'set') missing.push(project);
      else if (decision.type !== 'keep')
        work.push({ project, decision, coolifyStatus: coolifyStatus ?? 'missing' });
    }
  });
  for (const project of seen) {
    if (project.missingTicks > 0)
      await deps.db.update(projects).set({ missingTicks: 0 }).where(eq(projects.id, project.id));
    if (project.coolifyAction === 'restart' && !project.coolifyActionSeenAt)
      await markActionSeen(deps.db, project.id);
  }
  await mapLimit(missing, 4, async (project) => {
    report.coolifyCalls++;
    const removed = await confirmMissing(deps, project, options.secretRetentionMs);
    if (removed) report.changes.push({ ref: project.ref, from: project.status, ...removed });
  });
  await mapLimit(work, options.probeConcurrency, async ({ project, decision, coolifyStatus }) => {
    let to: ProjectStatus;
    let reason: string;
    if (decision.type === 'probe') {
      report.probes++;
      const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
      if (!secrets) return;
      const gateway = projectGatewayUrl(deps.config, project.ref);
      const result = await options.probe(gateway, secrets.SUPABASE_ANON_KEY);
      if (result.ok) {
        [to, reason] = [decision.to, result.detail];
      } else if (decision.onFailure) {
        [to, reason] = [
          decision.onFailure.to,
          `${decision.onFailure.reason} (probe: ${result.detail})`,
        ];
      } else return;
    } else if (decision.type === 'set') {
      [to, reason] = [decision.to, decision.reason];
    } else return;
    const applied = await deps.db.transaction((tx) =>
      transition(tx, project, {
        to,
        from: [project.status],
        actor: 'reconciler',
        action: 'project.reconcile',
        error: to === 'ACTIVE_HEALTHY' || to === 'INACTIVE' ? null : reason,
        detail: { coolifyStatus, reason },
      }),
    );
    if (applied) report.changes.push({ ref: project.ref, from: project.status, to, reason });
  });
  for (const { project, stackId } of orphans) {
    deps.log.warn({ ref: project.ref, service: stackId }, 'removing a duplicate Coolify service');
    await provisioner
      .remove(stackId)
      .catch((err: Error) => deps.log.warn({ error: err.message }, 'orphan removal failed'));
    report.orphansRemoved++;
  }
  report.secretsPurged = await purgeExpiredSecrets(deps.db);
  return report;
}

/**
 * Services named after one of our projects that are not that project's service:
 * left by a create whose answer was lost while Coolify was still making it.
 */
function findOrphans(stacks: ObservedStack[], byRef: Map<string, Watched>) {
  return stacks.flatMap((s) => {
    const project = s.ref ? byRef.get(s.ref) : undefined;
    return project && project.coolifyServiceUuid !== s.id ? [{ project, stackId: s.id }] : [];
  });
}

/**
 * Runs `reconcileOnce` every `intervalMs` until stopped; a failed tick never stops
 * the loop. `poke()` brings the next tick forward to at most `pokeDelayMs` away,
 * so a burst of finished jobs costs one tick, not one per job.
 */
export function startReconciler(
  deps: Deps,
  intervalMs: number,
  options = DEFAULT_RECONCILE_OPTIONS,
  pokeDelayMs = 1000,
) {
  let timer: NodeJS.Timeout | undefined;
  let nextAt = 0;
  let running = false;
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  const schedule = (delay: number) => {
    clearTimeout(timer);
    nextAt = Date.now() + delay;
    timer = setTimeout(tick, delay);
  };
  const tick = () => {
    running = true;
    current = reconcileOnce(deps, options)
      .then((r) => r.changes.length && deps.log.info({ changes: r.changes }, 'reconciled'))
      .catch((err: Error) => deps.log.error({ error: err.message }, 'reconcile tick failed'))
      .finally(() => {
        running = false;
        if (!stopped) schedule(intervalMs);
      });
  };
  schedule(0);
  return {
    poke() {
      if (!stopped && !running && nextAt - Date.now() > pokeDelayMs) schedule(pokeDelayMs);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
