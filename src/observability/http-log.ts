import { pino } from 'pino';
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
  // Each pattern needs its literal: most paths have none, and skip three regex passes.
  if (!out.includes('/members/invitations/') && !out.includes('/sbp_') && !out.includes('/eyJ'))
    return out;
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
  const lines = requestLineLogger(log);
  const info = infoLineWriter(lines);
  return (r: RequestRecord): void => {
    const route = routeLabel(r.route, r.status);
    const ms = Math.round(r.ms * 10) / 10;
    metrics?.observeHttp({ method: r.method, route, status: r.status, ms: r.ms });
    const id = r.requestId.slice(0, 128);
    const path = loggablePath(r.path);
    if (r.status < 500 && !QUIET.test(route)) return info(id, r.method, route, path, r.status, ms);
    const line = { req: { id, method: r.method, route, path }, res: { status: r.status }, ms };
    if (r.status >= 500) lines.error(line, 'request failed');
    else lines.debug(line, 'request');
  };
}

/**
 * Writes the info request line as pino would (`lines.info(line, 'request')`),
 * straight to the logger's destination: the line's shape is fixed, so the
 * generic path (walking the object, per-key serializers and stringifiers) is
 * work without effect, a third of the line's cost. pino's own level, time and
 * bindings are used, so the line is the same; test/log-redaction.test.ts
 * compares the two.
 */
function infoLineWriter(lines: Logger) {
  const { streamSym, chindingsSym } = pino.symbols;
  const holder = lines as unknown as Record<symbol, unknown>;
  const stream = holder[streamSym] as { write(line: string): void };
  const bindings = holder[chindingsSym] as string;
  const level = lines.levels.values.info!;
  const q = JSON.stringify;
  // Methods and route templates are few: each is quoted once.
  const quoted = new Map<string, string>();
  const known = (s: string) => {
    let out = quoted.get(s);
    if (out === undefined) {
      out = q(s);
      if (quoted.size < 2_000) quoted.set(s, out);
    }
    return out;
  };
  return (id: string, method: string, route: string, path: string, status: number, ms: number) => {
    if (lines.levelVal > level) return;
    stream.write(
      `{"level":${level},"time":${Date.now()}${bindings},"req":{"id":${q(id)},"method":${known(method)},"route":${known(route)},"path":${q(path)}},"res":{"status":${status}},"ms":${ms},"msg":"request"}\n`,
    );
  };
}
