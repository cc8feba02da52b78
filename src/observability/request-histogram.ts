import type { Registry } from 'prom-client';

interface Series {
  labels: { method: string; route: string; status: string };
  /** Observations per bucket, not cumulative; the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * The request-latency histogram, counted into one array per series and turned into
 * Prometheus values only when scraped. prom-client's Histogram.observe validates
 * the label object, builds a hash string of it and allocates on every call
 * (lib/histogram.js `observe`@15.1.3): about 4.5 µs of a 100 µs cached read. Here
 * a request costs three Map lookups and two additions. The lookups are keyed by the
 * route template, method and status themselves, not a string joined from them: those
 * strings live as long as the router, so their hashes are computed once, where a
 * joined key is a new string to flatten and hash on every request. The scrape is the same
 * exposition a prom-client Histogram writes (test/metrics.test.ts compares them):
 * the registry formats what `get()` returns as it does for its own histograms
 * (`getMetricsAsString`, lib/registry.js@15.1.3).
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames = ['method', 'route', 'status'];
  /** By route, method and status; `all` keeps them in the order first seen. */
  private readonly index = new Map<string, Map<string, Map<number, Series>>>();
  private readonly all: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    if (!Number.isFinite(seconds)) return;
    let byMethod = this.index.get(route);
    if (!byMethod) this.index.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) {
      const labels = { method, route, status: String(status) };
      s = { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
      byStatus.set(status, s);
      this.all.push(s);
    }
    const b = this.buckets;
    let i = 0;
    while (i < b.length && seconds > b[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  reset(): void {
    this.index.clear();
    this.all.length = 0;
  }

  get() {
    const values: Array<{
      labels: Record<string, string | number>;
      sharedLabels: Series['labels'];
      value: number;
      metricName: string;
    }> = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: bucket,
        });
      });
      const shared = s.labels;
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: bucket },
        { labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    });
  }
}
