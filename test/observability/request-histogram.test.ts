import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestHistogram } from '../../src/observability/request-histogram.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

describe('RequestHistogram', () => {
  it("scrapes as prom-client's Histogram does for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const histogram = new RequestHistogram('req_seconds', 'Request latency', BUCKETS, ours);
    const reference = new Histogram({
      name: 'req_seconds',
      help: 'Request latency',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: BUCKETS,
      registers: [theirs],
    });
    const observations: Array<[string, string, number, number]> = [
      ['GET', '/platform/projects/:ref', 200, 0.0004],
      ['GET', '/platform/projects/:ref', 200, 0.005], // on a bound: counted in it
      ['GET', '/platform/projects/:ref', 200, 0.0051],
      ['GET', '/platform/projects/:ref', 404, 0.3],
      ['POST', 'unmatched', 404, 42], // above every bound: only +Inf, sum and count
      ['GET', '/route "quoted"\\', 500, 1],
    ];
    for (const [method, route, status, seconds] of observations) {
      histogram.observe(method, route, status, seconds);
      reference.observe({ method, route, status: String(status) }, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    histogram.reset();
    reference.reset();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
