// Start, stop, restart and delete as Coolify runs them (coollabsio/coolify@379abb25): the API
// only queues a job, the job acts on Docker, and the status Coolify reports is what its
// database holds, which ServerCheckJob refreshes from Docker once per period. So:
// - until a queued job runs, the old status stays (ServicesController.php:2095,2192,2286);
// - a restart stops first and marks every sub-resource `exited` (StartService.php:22-24,
//   StopService.php:52-53), `starting:unhealthy` while compose runs (Service.php:235), then
//   the stored `exited` again until the next refresh (RunRemoteProcess.php:105-116 only
//   broadcasts; ServerManagerJob.php:31 refreshes every minute);
// - statuses are per sub-resource and aggregated (status-aggregate.ts).
// Timers are unref'd so a forgotten sim never keeps the process alive.
import type { ResolvedOptions } from './context.js';
import { parseCompose } from './compose.js';
import { composeUpProblem, dotEnv } from './compose-env.js';
import { aggregateFromStrings, serviceStatus } from './status-aggregate.js';
import { findServer, now } from './store.js';
import type { DeleteRequest, SimRuntime, SimService, SimState, SimSubResource } from './types.js';

const subsOf = (svc: SimService): SimSubResource[] => [...svc.applications, ...svc.databases];

export class Lifecycle {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly refresher: NodeJS.Timeout;
  private closed = false;
  /** DeleteResourceJobs that fail (the service stays); set by tests. */
  deleteFailures = 0;
  /** Images whose containers never pass their healthcheck; set by tests. */
  readonly unhealthyImages = new Set<string>();

  constructor(
    private readonly state: SimState,
    private readonly opts: ResolvedOptions,
  ) {
    this.refresher = setInterval(() => this.refreshAll(), Math.max(1, opts.statusRefreshMs));
    this.refresher.unref();
  }

  runtime(svc: SimService): SimRuntime {
    svc.runtime ??= {
      containers: new Map(),
      startedEnv: null,
      activity: null,
      composeUps: 0,
      lastStartError: null,
      queue: Promise.resolve(),
    };
    return svc.runtime;
  }

  /** Test hook: Docker and Coolify's database both say `status` (sub-resources that count). */
  setStatus(svc: SimService, status: string): void {
    const rt = this.runtime(svc);
    for (const sub of subsOf(svc)) {
      if (sub.exclude_from_status) continue;
      rt.containers.set(sub.name, status);
      this.record(sub, status);
    }
    if (subsOf(svc).length === 0) svc.status = status;
    else this.recompute(svc);
  }

  /** Test hook: one container changes in Docker; Coolify sees it at the next refresh. */
  setContainer(svc: SimService, name: string, status: string): void {
    this.runtime(svc).containers.set(name, status);
  }

  start(svc: SimService): void {
    this.enqueue(svc, () => this.startJob(svc, false));
  }

  restart(svc: SimService): void {
    this.enqueue(svc, () => this.startJob(svc, true));
  }

  stop(svc: SimService): void {
    this.enqueue(svc, () => this.stopNow(svc));
  }

  /** An operator's stop in Coolify's UI, already finished (no API call, no queue). */
  stopAtOnce(svc: SimService): void {
    const rt = this.runtime(svc);
    for (const sub of subsOf(svc)) {
      rt.containers.set(sub.name, 'exited');
      this.record(sub, 'exited');
    }
    rt.startedEnv = null;
    if (subsOf(svc).length === 0) svc.status = 'exited';
    else this.recompute(svc);
  }

  /** DeleteResourceJob (DeleteResourceJob.php:47-134): queued, so GET still answers meanwhile. */
  requestDelete(svc: SimService, request: DeleteRequest): void {
    const first = svc.deleting === null;
    svc.deleting ??= request;
    svc.deleteRequests.push(request);
    if (!first) return;
    this.enqueue(svc, async () => {
      await this.sleep(Math.max(0, this.opts.deleteDelayMs));
      if (this.deleteFailures > 0) {
        // The job threw before deleteLocal: the rows, and the service, stay.
        this.deleteFailures--;
        svc.deleting = null;
        return;
      }
      const server = findServer(this.state, svc.serverUuid);
      const functional = !!server && server.is_reachable && server.is_usable;
      const running = [...this.runtime(svc).containers]
        .filter(([, s]) => !s.startsWith('exited'))
        .map(([name]) => `${name}-${svc.uuid}`);
      if (functional) await this.stopNow(svc);
      else if (request.effective.delete_volumes || running.length > 0) {
        // StopService.php:34-36 and DeleteService.php:12 skip a non-functional server; the
        // rows go anyway (DeleteResourceJob.php:102-131).
        this.state.leftovers.push({
          serviceUuid: svc.uuid,
          serverUuid: svc.serverUuid,
          containers: running,
          volumes: svc.databases.map((d) => `${svc.uuid}_${d.name}-data`),
        });
      }
      this.remove(svc);
    });
  }

  remove(svc: SimService): void {
    if (this.state.services.get(svc.uuid) !== svc) return;
    this.state.services.delete(svc.uuid);
    this.state.deletedServices.push(svc);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.refresher);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** ServerCheckJob → GetContainersStatus (GetContainersStatus.php:538-604) for every server. */
  refreshAll(): void {
    for (const svc of this.state.services.values()) {
      const server = findServer(this.state, svc.serverUuid);
      // Statuses freeze while a server cannot be reached.
      if (!svc.runtime || !server?.is_reachable || !server.is_usable) continue;
      for (const sub of subsOf(svc)) {
        // One container per sub-resource; excluded one-shot containers have exited.
        const actual = sub.exclude_from_status
          ? 'exited'
          : (svc.runtime.containers.get(sub.name) ?? 'exited');
        this.record(sub, aggregateFromStrings([actual], { preserveRestarting: true }));
      }
      this.recompute(svc);
    }
  }

  private enqueue(svc: SimService, job: () => Promise<void>): void {
    const rt = this.runtime(svc);
    rt.queue = rt.queue
      .then(() => this.sleep(this.opts.queueDelayMs))
      .then(() => (this.state.services.get(svc.uuid) === svc ? job() : undefined))
      .catch(() => undefined);
  }

  /** StartService::handle (StartService.php:19-56). */
  private async startJob(svc: SimService, stopFirst: boolean): Promise<void> {
    const rt = this.runtime(svc);
    const server = findServer(this.state, svc.serverUuid);
    if (server) parseCompose(svc, server);
    if (stopFirst) await this.stopNow(svc);
    // saveComposeConfigs copies compose and .env over SSH before the activity exists.
    await this.sleep(this.opts.queueDelayMs);
    const env = dotEnv(
      svc,
      subsOf(svc).map((s) => s.name),
    );
    rt.activity = 'in_progress';
    this.recompute(svc);
    await this.sleep(this.opts.startDelayMs);
    if (rt.activity !== 'in_progress') return; // cancelled by a stop
    const problem = composeUpProblem(svc.docker_compose_raw, env);
    if (problem) {
      rt.lastStartError = problem;
      rt.activity = 'error';
    } else {
      for (const sub of subsOf(svc)) {
        const sick = sub.image !== null && this.unhealthyImages.has(sub.image);
        const status = sick ? 'running:unhealthy' : this.opts.runningStatus;
        rt.containers.set(sub.name, sub.exclude_from_status ? 'exited' : status);
      }
      rt.startedEnv = env;
      rt.composeUps++;
      rt.lastStartError = null;
      rt.activity = 'finished';
    }
    this.recompute(svc); // the stored sub-resource statuses are stale until the next refresh
  }

  /** StopService::handle (StopService.php:19-66). */
  private async stopNow(svc: SimService): Promise<void> {
    const rt = this.runtime(svc);
    if (rt.activity === 'in_progress') rt.activity = 'cancelled';
    const server = findServer(this.state, svc.serverUuid);
    if (!server?.is_reachable || !server.is_usable) return;
    await this.sleep(this.opts.stopDelayMs);
    for (const sub of subsOf(svc)) {
      rt.containers.set(sub.name, 'exited');
      this.record(sub, 'exited');
    }
    rt.startedEnv = null;
    this.recompute(svc);
  }

  private record(sub: SimSubResource, status: string): void {
    const ts = now();
    if (sub.status !== status) {
      sub.status = status;
      sub.updated_at = ts;
    }
    sub.last_online_at = ts;
  }

  private recompute(svc: SimService): void {
    if (subsOf(svc).length === 0) return; // seeded services keep the status they were given
    const activity = svc.runtime?.activity;
    svc.status = serviceStatus(subsOf(svc), activity === 'in_progress');
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return new Promise(() => undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.timers.add(t);
    });
  }
}
