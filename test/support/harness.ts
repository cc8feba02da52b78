import { and, eq, inArray } from 'drizzle-orm';
import { loadDashboardSigningKey } from '../../src/auth/keys.js';
import { parseConfig } from '../../src/config/config.js';
import type { Deps } from '../../src/context.js';
import { invalidateOnChange } from '../../src/cache/invalidation.js';
import { ReadCache } from '../../src/cache/read-cache.js';
import { CoolifyClient } from '../../src/coolify/client.js';
import { keyringFromBase64 } from '../../src/crypto/envelope.js';
import { jobs, projects, type Project, type ProjectStatus } from '../../src/db/schema/index.js';
import { JobRunner, type RunnerOptions } from '../../src/jobs/runner.js';
import { CoolifyProvisioner } from '../../src/provisioner/coolify-driver.js';
import type { Provisioner } from '../../src/provisioner/provisioner.js';
import { reconcileOnce, reconcileOptions } from '../../src/reconciler/reconcile.js';
import { createOrganization } from '../../src/organizations/organizations.js';
import { startCoolifySim, type CoolifySim, type SimOptions } from '../coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from './db.js';
import { capturedLogger } from './log-capture.js';

export const TEST_KEY = Buffer.alloc(32, 42).toString('base64');

export const FAST_RUNNER: RunnerOptions = {
  concurrency: 4,
  pollMs: 20,
  leaseMs: 60_000,
  backoff: { baseMs: 20, maxMs: 200 },
};

export interface Harness {
  sim: CoolifySim;
  db: TestDatabase;
  deps: Deps;
  runner: JobRunner;
  logLines: string[];
  org: { id: number; slug: string; name: string };
  env: Record<string, string>;
  /** Resolves once no job is queued or running. */
  jobsIdle(): Promise<void>;
  reconcile(settleTimeoutMs?: number): ReturnType<typeof reconcileOnce>;
  project(ref: string): Promise<Project>;
  /** Runs jobs and reconcile ticks until the project reaches `status` (or times out). */
  settle(ref: string, status: ProjectStatus, timeoutMs?: number): Promise<Project>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    sim?: SimOptions;
    runner?: Partial<RunnerOptions>;
    env?: Record<string, string>;
    wrapProvisioner?: (p: Provisioner) => Provisioner;
    startRunner?: boolean;
    /** Serve hot reads from a ReadCache kept in step by Postgres notifications, as runtime.ts does. */
    readCache?: boolean;
  } = {},
): Promise<Harness> {
  // Servers with a second Docker network by default, so every test exercises the
  // destination choice Coolify demands (ServicesController.php:668-670@379abb25).
  const sim = await startCoolifySim({
    servers: [{ destinations: 2 }, { destinations: 2 }, { destinations: 2 }],
    ...options.sim,
  });
  const db = await freshDatabase();
  const { log, lines } = capturedLogger();
  const env = {
    DATABASE_URL: db.url,
    SUPAPLANE_ENCRYPTION_KEY: TEST_KEY,
    COOLIFY_URL: sim.url,
    COOLIFY_TOKEN: sim.token,
    COOLIFY_SERVER_UUIDS: sim.state.servers.map((s) => s.uuid).join(','),
    COOLIFY_TIMEOUT_MS: '400',
    SUPAPLANE_PROJECT_DOMAIN: 'supa.test',
    SUPAPLANE_GATEWAY_URL: sim.gatewayUrlTemplate,
    // Well above the simulator's restart cycle (~150 ms), so the fallback never decides.
    SUPAPLANE_COOLIFY_STATUS_LAG_MS: '2000',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const config = parseConfig(env);
  const client = new CoolifyClient({
    baseUrl: config.COOLIFY_URL!,
    token: config.COOLIFY_TOKEN!,
    timeoutMs: config.COOLIFY_TIMEOUT_MS,
    requestsPerMinute: config.COOLIFY_RATE_LIMIT_PER_MINUTE,
  });
  const real = new CoolifyProvisioner(client, { destinations: config.COOLIFY_DESTINATIONS });
  const keyring = keyringFromBase64(TEST_KEY);
  const deps: Deps = {
    db: db.db,
    config,
    keyring,
    authKey: await loadDashboardSigningKey(db.db, keyring),
    log,
    provisioner: options.wrapProvisioner ? options.wrapProvisioner(real) : real,
  };
  const listening = options.readCache
    ? await invalidateOnChange(db.sql, (deps.readCache = new ReadCache(60_000)))
    : undefined;
  const runner = new JobRunner(deps, { ...FAST_RUNNER, ...options.runner });
  deps.wakeJobs = runner.poke;
  if (options.startRunner !== false) runner.start();
  const org = await createOrganization(deps, {
    name: `Acme ${Math.random().toString(36).slice(2, 7)}`,
  });

  const reconcile = (settleTimeoutMs = 60_000) =>
    reconcileOnce(deps, { ...reconcileOptions(config), settleTimeoutMs, probeConcurrency: 4 });
  const project = async (ref: string) => {
    const [row] = await db.db.select().from(projects).where(eq(projects.ref, ref));
    if (!row) throw new Error(`no project ${ref}`);
    return row;
  };
  return {
    sim,
    db,
    deps,
    runner,
    logLines: lines,
    org,
    env,
    reconcile,
    project,
    async jobsIdle() {
      await waitFor(
        async () =>
          (
            await db.db
              .select()
              .from(jobs)
              .where(inArray(jobs.state, ['queued', 'running']))
          ).length === 0,
        15_000,
        'jobs to finish',
      );
    },
    async settle(ref, status, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let lastTick = 0;
      for (;;) {
        const p = await project(ref);
        if (p.status === status) return p;
        if (Date.now() > deadline) {
          // The project's unfinished jobs say what it is waiting for.
          const pending = (
            await db.db
              .select()
              .from(jobs)
              .where(and(eq(jobs.projectId, p.id), inArray(jobs.state, ['queued', 'running'])))
          ).map((j) => `${j.kind}:${j.state}:${j.lastError ?? ''}:${j.runAt.toISOString()}`);
          throw new Error(
            `project ${ref} is ${p.status} (${p.lastError ?? 'no error'}), expected ${status}; jobs [${pending.join(', ')}]`,
          );
        }
        // A tick at most every 200 ms: two servers' listings then take ~150 of the client's
        // 180 Coolify calls a minute over a 15 s settle, leaving the jobs room. Ticking every
        // 30 ms spent the whole budget, and a delete job's calls queued behind the ticks
        // for up to a minute.
        if (Date.now() - lastTick >= 200) {
          lastTick = Date.now();
          await reconcile();
        }
        await new Promise((r) => setTimeout(r, 30));
      }
    },
    async close() {
      await runner.drain();
      await listening?.unlisten();
      await db.drop();
      await sim.close();
    },
  };
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
