import { and, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { jobs, projects, type Project, type ProjectStatus } from '../db/schema/index.js';
import { destroyProjectSecrets, loadProjectSecrets } from '../secrets/store.js';
import { transition } from '../services/transitions.js';
import { projectGatewayUrl } from '../services/urls.js';
import type { ObservedStack } from '../provisioner/provisioner.js';
import { mapLimit } from '../util/map-limit.js';
import { classify, decide, type Decision } from './decide.js';
import { probeGateway, type ProbeResult } from './probe.js';

export interface ReconcileOptions {
  /** How long a project may sit in COMING_UP, RESTORING… before it counts as failed. */
  settleTimeoutMs: number;
  probeConcurrency: number;
  probe: (gatewayUrl: string, anonKey: string) => Promise<ProbeResult>;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  settleTimeoutMs: 10 * 60_000,
  probeConcurrency: 16,
  probe: probeGateway,
};

export interface TickReport {
  projects: number;
  coolifyCalls: number;
  probes: number;
  changes: { ref: string; from: ProjectStatus; to: ProjectStatus; reason: string }[];
  failedServers: string[];
  orphansRemoved: number;
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
  };
  const provisioner = deps.provisioner;
  if (!provisioner) return report;
  // init-sql waits for the project to come up and changes no status: it owns nothing.
  const owned = sql`exists (select 1 from ${jobs} where ${jobs.projectId} = ${projects.id} and ${jobs.state} in ('queued', 'running') and ${jobs.kind} <> 'init-sql')`;
  const live = await deps.db
    .select()
    .from(projects)
    .where(
      and(
        notInArray(projects.status, ['REMOVED', 'GOING_DOWN']),
        isNotNull(projects.coolifyServiceUuid),
        sql`not ${owned}`,
      ),
    );
  report.projects = live.length;
  const byServer = new Map<string, Project[]>();
  for (const p of live) {
    const list = byServer.get(p.serverUuid);
    if (list) list.push(p);
    else byServer.set(p.serverUuid, [p]);
  }
  const byRef = new Map(live.map((p) => [p.ref, p]));
  const orphans: { project: Project; stackId: string }[] = [];
  const now = Date.now();
  const work: { project: Project; decision: Decision; coolifyStatus: string }[] = [];
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
      const overdue = now - project.statusChangedAt.getTime() > options.settleTimeoutMs;
      const decision = decide(project.status, classify(coolifyStatus), overdue);
      if (decision.type !== 'keep')
        work.push({ project, decision, coolifyStatus: coolifyStatus ?? 'missing' });
    }
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
    const applied = await deps.db.transaction(async (tx) => {
      const updated = await transition(tx, project, {
        to,
        from: [project.status],
        actor: 'reconciler',
        action: 'project.reconcile',
        error: to === 'ACTIVE_HEALTHY' || to === 'INACTIVE' ? null : reason,
        detail: { coolifyStatus, reason },
      });
      if (updated && to === 'REMOVED') await destroyProjectSecrets(tx, project.id);
      return updated;
    });
    if (applied) report.changes.push({ ref: project.ref, from: project.status, to, reason });
  });
  for (const { project, stackId } of orphans) {
    deps.log.warn({ ref: project.ref, service: stackId }, 'removing a duplicate Coolify service');
    await provisioner
      .remove(stackId)
      .catch((err: Error) => deps.log.warn({ error: err.message }, 'orphan removal failed'));
    report.orphansRemoved++;
  }
  return report;
}

/**
 * Services named after one of our projects that are not that project's service:
 * left by a create whose answer was lost while Coolify was still making it.
 */
function findOrphans(stacks: ObservedStack[], byRef: Map<string, Project>) {
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
