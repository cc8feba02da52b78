import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { Deps } from './context.js';
import { errorHandler } from './http/errors.js';

export interface AppOptions {
  /** Whether background workers are running; part of readiness. */
  workersReady?: () => boolean;
}

/** The HTTP app. Used by main.ts and by tests through `app.request()`; does no I/O itself. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const app = new Hono();
  app.onError(errorHandler(deps.log));
  app.notFound((c) =>
    c.json({ message: `No route for ${c.req.method} ${c.req.path}`, error: 'not_found' }, 404),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
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
  return app;
}
