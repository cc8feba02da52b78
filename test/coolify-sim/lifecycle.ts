// Service status machine driven by real timers: start/restart go through `starting:unhealthy`
// (Coolify's status while the start activity runs), deletes complete asynchronously like
// DeleteResourceJob. Timers are unref'd so a forgotten sim never keeps the process alive.
import type { ResolvedOptions } from './context.js';
import { now } from './store.js';
import type { DeleteRequest, SimService, SimState } from './types.js';

export class Lifecycle {
  private readonly statusTimers = new Map<string, NodeJS.Timeout>();
  private readonly deleteTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly state: SimState,
    private readonly opts: ResolvedOptions,
  ) {}

  /** Sets the service status and mirrors it onto sub-resources that count for status. */
  setStatus(svc: SimService, status: string): void {
    this.cancelStatus(svc.uuid);
    this.apply(svc, status);
  }

  start(svc: SimService): void {
    this.setStatus(svc, 'starting:unhealthy');
    const timer = setTimeout(() => {
      this.statusTimers.delete(svc.uuid);
      if (this.state.services.get(svc.uuid) === svc) this.apply(svc, this.opts.runningStatus);
    }, this.opts.startDelayMs);
    timer.unref();
    this.statusTimers.set(svc.uuid, timer);
  }

  stop(svc: SimService): void {
    this.setStatus(svc, 'exited');
  }

  /** DeleteResourceJob: queued, so the row is still visible until the timer fires. */
  requestDelete(svc: SimService, request: DeleteRequest): void {
    svc.deleting ??= request;
    svc.deleteRequests.push(request);
    if (this.deleteTimers.has(svc.uuid)) return;
    const timer = setTimeout(() => this.remove(svc), Math.max(0, this.opts.deleteDelayMs));
    timer.unref();
    this.deleteTimers.set(svc.uuid, timer);
  }

  remove(svc: SimService): void {
    this.cancelStatus(svc.uuid);
    const del = this.deleteTimers.get(svc.uuid);
    if (del) clearTimeout(del);
    this.deleteTimers.delete(svc.uuid);
    if (this.state.services.get(svc.uuid) !== svc) return;
    this.state.services.delete(svc.uuid);
    this.state.deletedServices.push(svc);
  }

  close(): void {
    for (const t of [...this.statusTimers.values(), ...this.deleteTimers.values()]) clearTimeout(t);
    this.statusTimers.clear();
    this.deleteTimers.clear();
  }

  private cancelStatus(uuid: string): void {
    const t = this.statusTimers.get(uuid);
    if (t) clearTimeout(t);
    this.statusTimers.delete(uuid);
  }

  private apply(svc: SimService, status: string): void {
    svc.status = status;
    svc.updated_at = now();
    for (const sub of [...svc.applications, ...svc.databases]) {
      // Excluded one-shot containers (restart: no) end up exited whatever the stack does.
      sub.status = sub.exclude_from_status ? 'exited' : status;
      sub.updated_at = svc.updated_at;
    }
  }
}
