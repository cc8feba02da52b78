import { requestLineLogger, type Logger } from '../log.js';
import type { Metrics } from './metrics.js';

/** One answered request, as the HTTP layer saw it. */
export interface RequestRecord {
  requestId: string;
  method: string;
  /** The matched route template, e.g. `/v1/projects/:ref`; empty or `*` when nothing matched. */
  route: string;
  /** The concrete path, without the query string (queries may carry keys). */
  path: string;
  status: number;
  ms: number;
}

/** Probes hit these every few seconds: keep them out of the info log. */
const QUIET = /\/(health|ready|metrics)$/;

/** Unmatched paths are unbounded (scanners, typos): one label for all of them. */
export function routeLabel(route: string, status: number): string {
  if (!route || route === '*' || route === '/*' || (status === 404 && route.endsWith('*')))
    return 'unmatched';
  return route;
}

/**
 * One JSON line per request with its id, method, route, status and latency, and
 * the same numbers into the latency histogram. Headers and bodies are never
 * logged: they carry bearer tokens, API keys and passwords.
 */
export function requestObserver(log: Logger, metrics?: Metrics) {
  const lines = requestLineLogger(log);
  return (r: RequestRecord): void => {
    const route = routeLabel(r.route, r.status);
    const ms = Math.round(r.ms * 10) / 10;
    metrics?.observeHttp({ method: r.method, route, status: r.status, ms: r.ms });
    const line = {
      req: { id: r.requestId.slice(0, 128), method: r.method, route, path: r.path.slice(0, 512) },
      res: { status: r.status },
      ms,
    };
    if (r.status >= 500) lines.error(line, 'request failed');
    else if (QUIET.test(route)) lines.debug(line, 'request');
    else lines.info(line, 'request');
  };
}
