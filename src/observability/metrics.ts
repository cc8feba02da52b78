import { count, eq } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { backupMetrics } from '../backups/metrics.js';
import type { Db } from '../db/client.js';
import { jobs, projects, PROJECT_STATUSES } from '../db/schema/index.js';
import { JOB_KINDS } from '../jobs/queue.js';
import { RequestHistogram } from './request-histogram.js';

/** What the job runner reports (see JobRunner.onEvent). */
export interface JobOutcome {
  kind: string;
  outcome: string;
}

/** What the Coolify client reports for every call (see CoolifyClientOptions.onCall). */
export interface CoolifyCall {
  /** `METHOD /route/{template}`: never a concrete id, so label cardinality stays bounded. */
  endpoint: string;
  status: number | 'error';
  ms: number;
}

export interface HttpObservation {
  method: string;
  /** The matched route template (`/v1/projects/:ref`), or `unmatched`. */
  route: string;
  status: number;
  ms: number;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  observeHttp(o: HttpObservation): void;
  observeJob(o: JobOutcome): void;
  observeCoolifyCall(c: CoolifyCall): void;
  /** Reports the local runner's in-flight jobs (the queue itself is read from the database). */
  trackRunner<E extends JobOutcome>(runner: { size: number; onEvent?: (e: E) => void }): void;
  /** The Prometheus text exposition; database-backed gauges are read now. */
  render(): Promise<string>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COOLIFY_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/**
 * One registry per app or runtime (never prom-client's global one), so tests can
 * build several side by side. Queue depth and projects by status are read from
 * Postgres at scrape time: they are shared by every Supaplane process.
 */
export function createMetrics(source: { db: Db; log?: (msg: string) => void }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let runner: { size: number } | undefined;

  const http = new RequestHistogram(
    'supaplane_http_request_duration_seconds',
    'HTTP request latency by route template, method and status',
    SECONDS,
    registry,
  );
  const jobOutcomes = new Counter({
    name: 'supaplane_job_outcomes_total',
    help: 'Lifecycle job runs by kind and outcome (succeeded, retried, waiting, dead)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const coolifyLatency = new Histogram({
    name: 'supaplane_coolify_request_duration_seconds',
    help: 'Coolify API call latency by endpoint template and status',
    labelNames: ['method', 'endpoint', 'status'] as const,
    buckets: COOLIFY_SECONDS,
    registers: [registry],
  });
  const coolifyErrors = new Counter({
    name: 'supaplane_coolify_errors_total',
    help: 'Coolify API calls that failed (HTTP status >= 400, or "network" for no answer)',
    labelNames: ['method', 'endpoint', 'reason'] as const,
    registers: [registry],
  });

  // Read from the database at scrape time. A failed read leaves the last values
  // and reports supaplane_database_up 0 instead of failing the whole scrape.
  const databaseUp = new Gauge({
    name: 'supaplane_database_up',
    help: 'Whether the last scrape could read the control-plane database (1) or not (0)',
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'supaplane_job_queue_depth',
    help: 'Jobs waiting to run (state queued), across every Supaplane process',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const running = new Gauge({
    name: 'supaplane_jobs_running',
    help: 'Jobs claimed by a worker (state running), across every Supaplane process',
    registers: [registry],
  });
  new Gauge({
    name: 'supaplane_jobs_in_flight',
    help: 'Jobs this process is executing right now',
    registers: [registry],
    collect() {
      this.set(runner?.size ?? 0);
    },
  });
  const projectsByStatus = new Gauge({
    name: 'supaplane_projects',
    help: 'Projects by status (Supabase Cloud status enum)',
    labelNames: ['status'] as const,
    registers: [registry],
  });

  const backupGauges = backupMetrics(registry, source.db);

  async function readDatabase() {
    try {
      await backupGauges.read();
      const [byStatus, queued, [active]] = await Promise.all([
        source.db
          .select({ status: projects.status, n: count() })
          .from(projects)
          .groupBy(projects.status),
        source.db
          .select({ kind: jobs.kind, n: count() })
          .from(jobs)
          .where(eq(jobs.state, 'queued'))
          .groupBy(jobs.kind),
        source.db.select({ n: count() }).from(jobs).where(eq(jobs.state, 'running')),
      ]);
      // Every status and kind gets a series, so a drop to zero is visible.
      const statusCounts = new Map(byStatus.map((r) => [r.status, r.n]));
      for (const status of PROJECT_STATUSES)
        projectsByStatus.set({ status }, statusCounts.get(status) ?? 0);
      queueDepth.reset();
      for (const kind of JOB_KINDS) queueDepth.set({ kind }, 0);
      for (const r of queued) queueDepth.set({ kind: r.kind }, r.n);
      running.set(active?.n ?? 0);
      databaseUp.set(1);
    } catch (err) {
      databaseUp.set(0);
      source.log?.(`metrics: cannot read the database (${(err as Error).message})`);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    observeHttp({ method, route, status, ms }) {
      http.observe(method, route, status, ms / 1000);
    },
    observeJob({ kind, outcome }) {
      jobOutcomes.inc({ kind, outcome });
    },
    observeCoolifyCall({ endpoint, status, ms }) {
      const space = endpoint.indexOf(' ');
      const method = space > 0 ? endpoint.slice(0, space) : 'GET';
      const path = space > 0 ? endpoint.slice(space + 1) : endpoint;
      coolifyLatency.observe({ method, endpoint: path, status: String(status) }, ms / 1000);
      if (status === 'error' || status >= 400) {
        coolifyErrors.inc({
          method,
          endpoint: path,
          reason: status === 'error' ? 'network' : String(status),
        });
      }
    },
    trackRunner<E extends JobOutcome>(r: { size: number; onEvent?: (e: E) => void }) {
      runner = r;
      const previous = r.onEvent;
      r.onEvent = (e: E) => {
        previous?.(e);
        jobOutcomes.inc({ kind: e.kind, outcome: e.outcome });
      };
    },
    async render() {
      await readDatabase();
      return registry.metrics();
    },
  };
}
