import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { RequestRecord } from '../../observability/http-log.js';
import type { AppEnv } from '../env.js';
import { requestHeader } from '../request-header.js';
import { studioCors } from './cors.js';
import { requestLimits } from './request-limits.js';
import { answersSelfHeaded, takePendingHeaders } from '../answer-headers.js';
import { addMissingHeaders, setResponseHeaders } from './response-headers.js';

/**
 * The layer every request passes first (src/app.ts), doing in this order:
 * - times it and, once answered, hands it to `observe` (the request log line and
 *   the latency histogram, src/observability/http-log.ts), preflights and
 *   refusals included;
 * - the headers every answer carries: the request id (the caller's, or a new
 *   one, also the log line's) and Studio's CORS headers; preflights end here;
 * - the request-size limits (request-limits.ts), before any route or token check.
 *
 * One layer, not three: each Hono middleware layer costs ~9k instructions per
 * request whatever it does (an async dispatch plus the middleware's own promise:
 * 8 pass-through layers added 70k to a bare app's 201k under callgrind), and
 * Studio's hot reads passed eight.
 */
export function everyRequest(
  observe: (r: RequestRecord) => void,
  config: Parameters<typeof studioCors>[0] & Parameters<typeof requestLimits>[0],
): MiddlewareHandler<AppEnv> {
  const cors = studioCors(config);
  const limits = requestLimits(config);
  return async (c, next) => {
    const started = performance.now();
    const requestId = requestHeader(c, 'x-request-id') ?? randomUUID();
    c.set('requestId', requestId);
    // Built once (hono/route builds the list on each call): for the header choice and the log.
    const matched = matchedRoutes(c);
    let status = 500;
    try {
      const headers = cors.headers(requestHeader(c, 'origin'));
      headers.push(['x-request-id', requestId]);
      if (c.req.method === 'OPTIONS') {
        c.res = cors.preflight(c, headers);
      } else {
        // Kept plain for a route that makes its answer with them (src/http/answer-headers.ts).
        if (answersSelfHeaded(matched)) c.set('answerHeaders', headers);
        else setResponseHeaders(c, headers);
        const checked = limits(c);
        const refusal = checked instanceof Promise ? await checked : checked;
        if (refusal) c.res = refusal;
        else await next();
        addMissingHeaders(c, takePendingHeaders(c) ?? headers);
      }
      status = c.res.status;
    } finally {
      observe({
        requestId,
        method: c.req.method,
        // After next(), the route index points at the handler that answered (as routePath).
        route: matched.at(c.req.routeIndex)?.path ?? '',
        path: c.req.path,
        status,
        ms: performance.now() - started,
      });
    }
  };
}
