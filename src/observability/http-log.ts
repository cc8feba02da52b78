import type { Logger } from '../log.js';
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

/**
 * Path segments that are credentials: invitation join tokens (the numeric ids of the
 * same routes are not), personal access tokens and JWTs. A join token in an info log
 * let anyone who reads the logs join the organization (security audit 18.5).
 */
const SECRET_SEGMENTS: Array<[RegExp, string]> = [
  [/(\/members\/invitations\/)(?!\d+(?:\/|$))[^/]+/g, '$1[redacted]'],
  [/\/sbp_[^/]*/g, '/[redacted]'],
  [/\/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '/[redacted]'],
];

/** The path as it may be logged. */
export function loggablePath(path: string): string {
  let out = path.slice(0, 512);
  for (const [pattern, replacement] of SECRET_SEGMENTS) out = out.replace(pattern, replacement);
  return out;
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
  return (r: RequestRecord): void => {
    const route = routeLabel(r.route, r.status);
    const ms = Math.round(r.ms * 10) / 10;
    metrics?.observeHttp({ method: r.method, route, status: r.status, ms: r.ms });
    const line = {
      req: { id: r.requestId.slice(0, 128), method: r.method, route, path: loggablePath(r.path) },
      res: { status: r.status },
      ms,
    };
    if (r.status >= 500) log.error(line, 'request failed');
    else if (QUIET.test(route)) log.debug(line, 'request');
    else log.info(line, 'request');
  };
}
