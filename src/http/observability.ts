import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { RequestRecord } from '../observability/http-log.js';
import type { Metrics } from '../observability/metrics.js';
import type { AppEnv } from './env.js';

/**
 * Times every request and hands it to `observe` (src/observability/http-log.ts)
 * once answered. The request id is read after the answer, by when
 * everyResponseHeaders (the next layer) has set it.
 */
export function observeRequests(observe: (r: RequestRecord) => void): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const record = (status: number) =>
      observe({
        requestId: c.get('requestId') ?? '',
        method: c.req.method,
        // After next(), the route index points at the handler that answered.
        route: routePath(c),
        path: c.req.path,
        status,
        ms: performance.now() - started,
      });
    try {
      await next();
    } catch (err) {
      record(500);
      throw err;
    }
    record(c.res.status);
  };
}

/** `GET /metrics`: the Prometheus text format. */
export function metricsHandler(metrics: Metrics) {
  return async (c: Context<AppEnv>) =>
    c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType });
}
