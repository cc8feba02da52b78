// Coolify API simulator for tests: an in-memory Coolify 4.3.11 that validates requests against
// the published openapi.yaml and reproduces the PHP code's behaviour where the two differ
// (see shared/reference/coolify/API-NOTES.md). Start one per test file with startCoolifySim().
import type { ResolvedOptions, SimCore } from './context.js';
import { FaultRegistry, RateLimiter } from './faults.js';
import { SimHttp } from './http.js';
import { Lifecycle } from './lifecycle.js';
import { actionRoutes } from './routes-actions.js';
import { coreRoutes } from './routes-core.js';
import { envRoutes } from './routes-envs.js';
import { serviceRoutes } from './routes-services.js';
import { tagRoutes } from './routes-tags.js';
import { storageRoutes } from './file-storages.js';
import { loadSpec } from './spec.js';
import { createState } from './store.js';
import type { Fault, GatewayCall, SimCall, SimOptions, SimService, SimState } from './types.js';

export type * from './types.js';

export const DEFAULT_TOKEN = 'sim-root-token';

export interface CoolifySim {
  /** `http://127.0.0.1:<port>`; the API is under `${url}/api/v1`. */
  readonly url: string;
  readonly apiUrl: string;
  /** The default token (first configured token). */
  readonly token: string;
  /** `${url}/gateway/{ref}` — substitute `{ref}` with a project ref. */
  readonly gatewayUrlTemplate: string;
  /** Every answered API request in order (live array; cleared by resetCalls()). */
  readonly calls: SimCall[];
  readonly gatewayCalls: GatewayCall[];
  readonly state: Readonly<SimState>;
  servicesByTag(tag: string): SimService[];
  envOf(serviceUuid: string): Record<string, string | null>;
  inject(fault: Fault): void;
  clearFaults(): void;
  setStatus(serviceUuid: string, status: string): void;
  /** One container changes in Docker (e.g. `exited`); Coolify sees it at its next refresh. */
  setContainer(serviceUuid: string, name: string, status: string): void;
  /** The next `n` DeleteResourceJobs fail: the service stays (DeleteResourceJob.php:102-131). */
  failDeletes(n: number): void;
  /** Runs a ServerCheckJob now instead of at the next period. */
  refreshStatuses(): void;
  /** Operator stops the stack in Coolify's UI (no API call recorded). */
  operatorStop(serviceUuid: string): void;
  /** Operator deletes the service in Coolify's UI: gone immediately. */
  operatorDelete(serviceUuid: string): void;
  failGateway(ref: string, on: boolean): void;
  /** Containers started from this image report `running:unhealthy` (a stack that never gets healthy). */
  failImage(image: string, on: boolean): void;
  /** The file Coolify wrote on the server for a compose service's inline-content mount. */
  hostFile(serviceUuid: string, composeService: string, mountPath: string): string | undefined;
  setApiEnabled(on: boolean): void;
  resetCalls(): void;
  close(): Promise<void>;
}

function resolve(opts: SimOptions): ResolvedOptions {
  return {
    tokens: new Map(Object.entries(opts.tokens ?? { [DEFAULT_TOKEN]: ['root'] })),
    tokenUsers: new Map(Object.entries(opts.tokenUsers ?? {})),
    latencyMs: opts.latencyMs ?? 0,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 200,
    apiEnabled: opts.apiEnabled ?? true,
    // Coolify's real timings are seconds to a minute; these keep every phase (queued job,
    // docker stop, compose up, the stale status until the next refresh) in every test.
    startDelayMs: opts.startDelayMs ?? 25,
    runningStatus: opts.runningStatus ?? 'running:healthy',
    deleteDelayMs: opts.deleteDelayMs ?? 25,
    queueDelayMs: opts.queueDelayMs ?? 15,
    stopDelayMs: opts.stopDelayMs ?? 15,
    statusRefreshMs: opts.statusRefreshMs ?? 80,
  };
}

export async function startCoolifySim(opts: SimOptions = {}): Promise<CoolifySim> {
  const resolved = resolve(opts);
  const state = createState(opts.servers);
  const lifecycle = new Lifecycle(state, resolved);
  const core: SimCore = { state, opts: resolved, lifecycle, spec: loadSpec() };
  const calls: SimCall[] = [];
  const gatewayCalls: GatewayCall[] = [];
  const failing = new Set<string>();
  const faults = new FaultRegistry();
  const http = new SimHttp({
    core,
    routes: [
      ...coreRoutes,
      ...serviceRoutes,
      ...envRoutes,
      ...actionRoutes,
      ...tagRoutes,
      ...storageRoutes,
    ],
    faults,
    limiter: new RateLimiter(resolved.rateLimitPerMinute),
    calls,
    gateway: { state, failing, calls: gatewayCalls },
  });
  const port = await http.listen();
  const url = `http://127.0.0.1:${port}`;

  const service = (uuid: string): SimService => {
    const svc = state.services.get(uuid);
    if (!svc) throw new Error(`coolify-sim: no service ${uuid}`);
    return svc;
  };

  return {
    url,
    apiUrl: `${url}/api/v1`,
    token: resolved.tokens.keys().next().value ?? DEFAULT_TOKEN,
    gatewayUrlTemplate: `${url}/gateway/{ref}`,
    calls,
    gatewayCalls,
    state,
    servicesByTag: (tag) =>
      [...state.services.values()].filter((s) => s.tags.includes(tag.toLowerCase())),
    envOf: (uuid) =>
      Object.fromEntries([...service(uuid).envs.values()].map((e) => [e.key, e.value])),
    inject: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setStatus: (uuid, status) => lifecycle.setStatus(service(uuid), status),
    setContainer: (uuid, name, status) => lifecycle.setContainer(service(uuid), name, status),
    failDeletes: (n) => {
      lifecycle.deleteFailures = n;
    },
    refreshStatuses: () => lifecycle.refreshAll(),
    operatorStop: (uuid) => lifecycle.stopAtOnce(service(uuid)),
    operatorDelete: (uuid) => lifecycle.remove(service(uuid)),
    failGateway: (ref, on) => {
      if (on) failing.add(ref.toLowerCase());
      else failing.delete(ref.toLowerCase());
    },
    failImage: (image, on) => {
      if (on) lifecycle.unhealthyImages.add(image);
      else lifecycle.unhealthyImages.delete(image);
    },
    hostFile: (uuid, composeService, mountPath) =>
      service(uuid).hostFiles?.get(`${composeService}:${mountPath}`),
    setApiEnabled: (on) => {
      resolved.apiEnabled = on;
    },
    resetCalls: () => {
      calls.length = 0;
      gatewayCalls.length = 0;
    },
    close: async () => {
      lifecycle.close();
      await http.close();
    },
  };
}
