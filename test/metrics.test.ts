import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { parseConfig } from '../src/config/config.js';
import { everyRequest } from '../src/http/middleware/every-request.js';
import { requestObserver } from '../src/observability/http-log.js';
import { createMetrics } from '../src/observability/metrics.js';
import { DEFAULT_RECONCILE_OPTIONS, reconcileOnce } from '../src/reconciler/reconcile.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { createOrganization } from '../src/organizations/organizations.js';
import { createProject, getProjectByRef } from '../src/projects/projects.js';
import { startCoolifySim, type CoolifySim } from './coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from './support/db.js';
import { TEST_KEY, waitFor } from './support/harness.js';
import { capturedLogger } from './support/log-capture.js';

/** `name{labels} value` lines of a Prometheus text exposition, by series. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

describe('/metrics after a create (real runtime wiring, Coolify simulator, real Postgres)', () => {
  let sim: CoolifySim;
  let db: TestDatabase;
  let runtime: Runtime;
  let app: ReturnType<typeof createApp>;
  const scrape = async () => {
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return parse(await res.text());
  };

  beforeAll(async () => {
    sim = await startCoolifySim();
    db = await freshDatabase();
    const config = parseConfig({
      DATABASE_URL: db.url,
      SUPAPLANE_ENCRYPTION_KEY: TEST_KEY,
      COOLIFY_URL: sim.url,
      COOLIFY_TOKEN: sim.token,
      COOLIFY_SERVER_UUIDS: sim.state.servers[0]!.uuid,
      SUPAPLANE_PROJECT_DOMAIN: 'supa.test',
      SUPAPLANE_GATEWAY_URL: sim.gatewayUrlTemplate,
      SUPAPLANE_JOB_POLL_MS: '20',
    });
    // startRuntime, not the test harness: this checks the production wiring of
    // the Coolify client's onCall and the job runner's onEvent into the registry.
    runtime = await startRuntime(config, capturedLogger('warn').log);
    app = createApp(runtime.deps, { metrics: runtime.metrics });
  });
  afterAll(async () => {
    await runtime?.stop();
    await db?.drop();
    await sim?.close();
  });

  it('counts queued jobs, job outcomes, Coolify calls and errors, and projects by status', async () => {
    const org = await createOrganization(runtime.deps, { name: 'Metrics Org' });
    const { ref } = await createProject(runtime.deps, {
      actor: { id: 'test' },
      input: { organizationId: org.id, name: 'Measured' },
    });

    // Nothing runs jobs yet: the create waits in the queue.
    let m = await scrape();
    expect(m.get('supaplane_job_queue_depth{kind="create"}')).toBe(1);
    expect(m.get('supaplane_projects{status="COMING_UP"}')).toBe(1);
    expect(m.get('supaplane_projects{status="ACTIVE_HEALTHY"}')).toBe(0);
    expect(m.get('supaplane_database_up')).toBe(1);

    // One failed start: an error series and a retried outcome.
    sim.inject({ method: 'POST', path: '/services/{uuid}/start', kind: '503', times: 1 });
    runtime.runner.start();
    const options = { ...DEFAULT_RECONCILE_OPTIONS, settleTimeoutMs: 60_000 };
    await waitFor(
      async () => {
        await reconcileOnce(runtime.deps, options);
        return (await getProjectByRef(runtime.deps, ref)).status === 'ACTIVE_HEALTHY';
      },
      30_000,
      'the project to become ACTIVE_HEALTHY',
    );

    m = await scrape();
    expect(m.get('supaplane_job_queue_depth{kind="create"}')).toBe(0);
    expect(m.get('supaplane_jobs_running')).toBe(0);
    expect(m.get('supaplane_job_outcomes_total{kind="create",outcome="succeeded"}')).toBe(1);
    expect(m.get('supaplane_job_outcomes_total{kind="create",outcome="retried"}')).toBe(1);
    expect(m.get('supaplane_projects{status="ACTIVE_HEALTHY"}')).toBe(1);
    expect(m.get('supaplane_projects{status="COMING_UP"}')).toBe(0);

    const created =
      'supaplane_coolify_request_duration_seconds_count{method="POST",endpoint="/services",status="201"}';
    expect(m.get(created)).toBe(1);
    const starts = (status: string) =>
      m.get(
        `supaplane_coolify_request_duration_seconds_count{method="POST",endpoint="/services/{uuid}/start",status="${status}"}`,
      );
    expect(starts('503')).toBe(1);
    expect(starts('200')).toBe(1);
    expect(
      m.get(
        'supaplane_coolify_errors_total{method="POST",endpoint="/services/{uuid}/start",reason="503"}',
      ),
    ).toBe(1);
    // Reconcile ticks: one resources call per server per tick, by template, never by uuid.
    const polls = [...m.keys()].filter((k) => k.includes('endpoint="/servers/{uuid}/resources"'));
    expect(polls.length).toBeGreaterThan(0);
    expect([...m.keys()].some((k) => k.includes(sim.state.servers[0]!.uuid))).toBe(false);
    // Process metrics come along.
    expect([...m.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total'))).toBe(true);
  });

  it('times HTTP requests by route template, unmatched paths under one label', async () => {
    await app.request('/health');
    await app.request('/no/such/route/abc123');
    const m = await scrape();
    expect(
      m.get(
        'supaplane_http_request_duration_seconds_count{method="GET",route="/health",status="200"}',
      ),
    ).toBe(1);
    expect(
      m.get(
        'supaplane_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}',
      ),
    ).toBe(1);
    expect([...m.keys()].some((k) => k.includes('abc123'))).toBe(false);
  });
});

describe('request observer', () => {
  it('labels by the template of the handler that answered, also in mounted sub-apps', async () => {
    const db = await freshDatabase();
    try {
      const metrics = createMetrics({ db: db.db });
      const { log, lines } = capturedLogger('info');
      const sub = new Hono();
      sub.get('/projects/:ref', (c) => c.json({ ref: c.req.param('ref') }));
      const app = new Hono();
      app.use('*', everyRequest(requestObserver(log, metrics), parseConfig({})));
      app.route('/v1', sub);
      app.onError((_err, c) => c.text('failed', 500));
      app.get('/boom', () => {
        throw new Error('boom');
      });
      expect((await app.request('/v1/projects/abcdefghijklmnopqrst?apikey=s3cr3t')).status).toBe(
        200,
      );
      expect((await app.request('/boom')).status).toBe(500);
      const text = await metrics.render();
      expect(text).toContain(
        'supaplane_http_request_duration_seconds_count{method="GET",route="/v1/projects/:ref",status="200"} 1',
      );
      expect(text).toContain(
        'supaplane_http_request_duration_seconds_count{method="GET",route="/boom",status="500"} 1',
      );
      const line = JSON.parse(lines.find((l) => l.includes('/v1/projects'))!) as {
        req: { route: string; path: string; method: string };
        res: { status: number };
        ms: number;
      };
      expect(line.req).toMatchObject({ method: 'GET', route: '/v1/projects/:ref' });
      expect(line.req.path).toBe('/v1/projects/abcdefghijklmnopqrst');
      expect(line.res.status).toBe(200);
      expect(typeof line.ms).toBe('number');
      expect(lines.join('\n')).not.toContain('s3cr3t');
    } finally {
      await db.drop();
    }
  });
});
