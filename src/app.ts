import { sql } from 'drizzle-orm';
import type { Deps } from './context.js';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import { newRouter } from './http/env.js';
import { MatchCache } from './http/match-cache.js';
import { errorHandler } from './http/errors.js';
import { everyRequest } from './http/middleware/every-request.js';
import { clearReadCacheAfterWrites, WRITING_METHODS } from './http/middleware/read-your-writes.js';
import { mountRoutes } from './http/routes.js';
import { metricsHandler } from './http/observability.js';
import { requestObserver } from './observability/http-log.js';
import { createMetrics, type Metrics } from './observability/metrics.js';

export interface AppOptions {
  /** Whether background workers are running; part of readiness. */
  workersReady?: () => boolean;
  /** The runtime's registry (jobs, Coolify calls); a fresh one when absent. */
  metrics?: Metrics;
}

/** The HTTP app. Used by main.ts and by tests through `app.request()`; does no I/O itself. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const metrics = options.metrics ?? createMetrics({ db: deps.db });
  const root = newRouter({
    router: new MatchCache(new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] })),
  });
  root.onError(errorHandler(deps.log));
  root.notFound((c) =>
    c.json({ message: `No route for ${c.req.method} ${c.req.path}`, error: 'not_found' }, 404),
  );
  // Observed, given its headers and bounded in size before any route reads a body or checks a token.
  root.use('*', everyRequest(requestObserver(deps.log, metrics), deps.config));
  // Registered by method, so that reads do not pass through it at all.
  if (deps.readCache) root.on(WRITING_METHODS, '*', clearReadCacheAfterWrites(deps.readCache));

  root.get('/health', (c) => c.json({ status: 'ok' }));
  root.get('/metrics', metricsHandler(metrics));
  root.get('/ready', async (c) => {
    const checks = { database: false, workers: options.workersReady?.() ?? true };
    try {
      await deps.db.execute(sql`select 1`);
      checks.database = true;
    } catch {
      // reported below
    }
    const ready = checks.database && checks.workers;
    return c.json(
      { status: ready ? 'ready' : 'not_ready', checks, ...(ready ? {} : { message: 'Not ready' }) },
      ready ? 200 : 503,
    );
  });
  mountRoutes(root, deps);

  if (!deps.config.SUPAPLANE_BASE_PATH) return root;
  const app = newRouter();
  app.onError(errorHandler(deps.log));
  app.notFound((c) =>
    c.json({ message: `No route for ${c.req.method} ${c.req.path}`, error: 'not_found' }, 404),
  );
  app.route(deps.config.SUPAPLANE_BASE_PATH, root);
  return app;
}
