import { hostname } from 'node:os';
import type { Config } from './config/config.js';
import type { Deps } from './context.js';
import { loadDashboardSigningKey } from './auth/keys.js';
import { invalidateOnChange } from './cache/invalidation.js';
import { ReadCache } from './cache/read-cache.js';
import { CoolifyClient } from './coolify/client.js';
import { keyringFromConfig } from './crypto/keyring.js';
import { SharedWindowBudget } from './coolify/shared-budget.js';
import { loadOrCreateLocalKey } from './crypto/local-key.js';
import { connect, migrateDatabase, type Database } from './db/client.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded.js';
import { DEFAULT_RUNNER_OPTIONS, JobRunner } from './jobs/runner.js';
import { claimWorkerIdentity } from './jobs/worker-identity.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { CoolifyProvisioner } from './provisioner/coolify-driver.js';
import type { Provisioner } from './provisioner/provisioner.js';

export interface Runtime {
  deps: Deps;
  database: Database;
  runner: JobRunner;
  metrics: Metrics;
  stop(): Promise<void>;
}

/** Builds every long-lived dependency once: database, migrations, keys, Coolify, jobs. */
export interface RuntimeOptions {
  /** Decorates the provisioner (metrics, tests that simulate a crash). */
  wrapProvisioner?: (p: Provisioner) => Provisioner;
}

export async function startRuntime(
  config: Config,
  log: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    log.info(
      { dataDir: config.SUPAPLANE_DATA_DIR },
      'DATABASE_URL not set: starting embedded Postgres',
    );
    embedded = await startEmbeddedPostgres(config.SUPAPLANE_DATA_DIR, (line) =>
      log.debug({ pg: line }),
    );
    url = embedded.url;
  }
  const keyring = keyringFromConfig(config, () =>
    loadOrCreateLocalKey(config.SUPAPLANE_DATA_DIR, (msg) => log.warn(msg)),
  );
  await migrateDatabase(url);
  const database = connect(url);
  const metrics = createMetrics({ db: database.db, log: (msg) => log.warn(msg) });
  const coolify =
    config.COOLIFY_URL && config.COOLIFY_TOKEN
      ? new CoolifyProvisioner(
          new CoolifyClient({
            baseUrl: config.COOLIFY_URL,
            token: config.COOLIFY_TOKEN,
            timeoutMs: config.COOLIFY_TIMEOUT_MS,
            requestsPerMinute: config.COOLIFY_RATE_LIMIT_PER_MINUTE,
            // Shared by every process on this database: Coolify limits per user.
            budget: new SharedWindowBudget(
              database.db,
              config.COOLIFY_URL.replace(/\/+$/, ''),
              config.COOLIFY_RATE_LIMIT_PER_MINUTE,
              (err) => log.warn({ err: err.message }, 'shared Coolify budget unavailable'),
            ),
            onCall: metrics.observeCoolifyCall,
          }),
          { destinations: config.COOLIFY_DESTINATIONS },
        )
      : undefined;
  const provisioner =
    coolify && options.wrapProvisioner ? options.wrapProvisioner(coolify) : coolify;
  if (!provisioner)
    log.warn(
      'Coolify is not configured: projects cannot be created until COOLIFY_URL and COOLIFY_TOKEN are set',
    );
  const authKey = await loadDashboardSigningKey(database.db, keyring);
  const deps: Deps = { db: database.db, config, keyring, authKey, log, provisioner };
  if (config.SUPAPLANE_READ_CACHE_MS > 0) {
    deps.readCache = new ReadCache(config.SUPAPLANE_READ_CACHE_MS);
    await invalidateOnChange(database.sql, deps.readCache);
  }
  const identity = await claimWorkerIdentity(url, config.SUPAPLANE_WORKER_ID ?? hostname(), log);
  const runner = new JobRunner(deps, {
    ...DEFAULT_RUNNER_OPTIONS,
    workerId: identity.workerId,
    concurrency: config.SUPAPLANE_WORKER_CONCURRENCY,
    leaseMs: config.SUPAPLANE_JOB_LEASE_MS,
    pollMs: config.SUPAPLANE_JOB_POLL_MS,
  });
  deps.wakeJobs = runner.poke;
  metrics.trackRunner(runner);
  return {
    deps,
    database,
    runner,
    metrics,
    async stop() {
      await runner.drain();
      await identity.close();
      await database.close();
      await embedded?.stop();
    },
  };
}
