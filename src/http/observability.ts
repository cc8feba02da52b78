import type { Context } from 'hono';
import type { Metrics } from '../observability/metrics.js';
import type { AppEnv } from './env.js';

/** `GET /metrics`: the Prometheus text format. */
export function metricsHandler(metrics: Metrics) {
  return async (c: Context<AppEnv>) =>
    c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType });
}
