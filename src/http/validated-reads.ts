import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context, Handler, MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import { sameHeadingAs } from './answer-headers.js';
import type { AppEnv } from './env.js';

/** What the router's default hook is given: a zod result, as @hono/zod-validator passes it. */
export type ValidationHook = (result: {
  success: boolean;
  data?: unknown;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}) => unknown;

interface Validated {
  /** The route's validator that produced the data (one URL may reach another route). */
  by: object;
  query?: unknown;
  param?: unknown;
}

/** Validated inputs by request URL, shared by every route; bounded like MatchCache. */
const MAX_ENTRIES = 5_000;
const MAX_URL = 1_024;
const validatedByUrl = new Map<string, Validated>();

/**
 * Studio polls the same few URLs over and over (`/platform/projects/<ref>` every few
 * seconds per open tab). A GET's validated input is a function of its URL alone when
 * the route validates only its path parameters and query: the same zod schemas, the
 * same router hook (text guard included), the same result. So each distinct URL is
 * validated once, exactly as @hono/zod-openapi would (same targets, same order: query,
 * then params; `openapi`, dist/index.mjs:87-110@1.6.3, and hono's `validator`,
 * validator/validator.js:44-51@4.13.19), and later requests get the stored result:
 * about 11 µs of a cached read was spent re-parsing identical input. A failure is never
 * stored, so bad input is refused every time. The stored data is shared between
 * requests, so it is frozen: a handler that tried to change it would throw, not leak.
 *
 * The route's own middleware (its `requireAuth`), the validation and the handler
 * run as one Hono handler: each Hono layer costs ~9k instructions per request
 * whatever it does (src/http/middleware/every-request.ts), and these were three.
 *
 * Routes with headers, cookies or a body, a hook of their own, or another method go
 * through @hono/zod-openapi's validators unchanged.
 */
export function validateReadsOncePerUrl(router: OpenAPIHono<AppEnv>, hook: ValidationHook): void {
  const openapi = router.openapi;
  router.openapi = ((route: RouteConfig, handler: Handler<AppEnv>, routeHook?: unknown) => {
    const request = route.request;
    const onlyUrl =
      request &&
      !request.headers &&
      !request.cookies &&
      !request.body &&
      (request.params || request.query);
    if (routeHook !== undefined || route.method !== 'get' || !onlyUrl) {
      return openapi(route as never, handler as never, routeHook as never);
    }
    const { middleware, hide, ...documented } = route;
    if (!hide) router.openAPIRegistry.registerPath(documented);
    const own = middleware ? ([] as MiddlewareHandler<AppEnv>[]).concat(middleware) : [];
    const validate = urlValidator(
      request.query as ZodType | undefined,
      request.params as ZodType | undefined,
      hook,
    );
    // No promise of its own when the URL's input is already validated.
    const validated: Handler<AppEnv> = (c, next) => {
      const checking = validate(c);
      return checking ? checking.then(() => handler(c, next)) : handler(c, next);
    };
    const serve = sameHeadingAs(own.length ? asOneHandler(own, validated) : validated, handler);
    return openapi({ ...documented, request: undefined, hide: true } as never, serve as never);
  }) as typeof openapi;
}

/**
 * `middleware`, then `handler`, as one handler. A middleware that returns a Response
 * answers in the handler's place, as in Hono's compose; an error thrown anywhere
 * reaches the router's error handler, as it would from the handler.
 */
function asOneHandler(
  middleware: MiddlewareHandler<AppEnv>[],
  handler: Handler<AppEnv>,
): Handler<AppEnv> {
  return async (c, last) => {
    let answer: Response | undefined;
    const step = async (i: number): Promise<void> => {
      const m = middleware[i];
      if (!m) {
        answer = await handler(c, last);
        // For the middleware that reads the answer after next(), as after Hono's compose.
        if (answer) c.res = answer;
        return;
      }
      const early = await m(c, () => step(i + 1));
      if (early instanceof Response && answer === undefined) answer = early;
    };
    await step(0);
    return answer ?? c.res;
  };
}

/** Sets the validated query and params of the request; a promise only when it must validate. */
function urlValidator(
  query: ZodType | undefined,
  params: ZodType | undefined,
  hook: ValidationHook,
): (c: Context<AppEnv>) => Promise<void> | undefined {
  const check = async (schema: ZodType, value: unknown) => {
    const result = await schema.safeParseAsync(value);
    await hook({ data: value, ...result });
    if (!result.success) throw result.error; // the hook throws first; never reached with ours
    return result.data;
  };
  const self = {};
  const give = (c: Context<AppEnv>, hit: Validated) => {
    if (query) c.req.addValidatedData('query', hit.query as object);
    if (params) c.req.addValidatedData('param', hit.param as object);
  };
  const validateAndStore = async (c: Context<AppEnv>, url: string) => {
    const fresh: Validated = { by: self };
    if (query) fresh.query = await check(query, queryValue(c));
    if (params) fresh.param = await check(params, c.req.param());
    const hit = deepFreeze(fresh);
    if (url.length <= MAX_URL) {
      // Map keeps insertion order: dropping the oldest entry bounds memory.
      if (validatedByUrl.size >= MAX_ENTRIES)
        validatedByUrl.delete(validatedByUrl.keys().next().value!);
      validatedByUrl.set(url, hit);
    }
    give(c, hit);
  };
  return (c) => {
    const url = c.req.url;
    const hit = validatedByUrl.get(url);
    if (hit?.by !== self) return validateAndStore(c, url);
    give(c, hit);
    return undefined;
  };
}

/** The query as hono's validator reads it: one value per key, or all of a repeated key. */
function queryValue(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(c.req.queries()).map(([k, v]) => (v.length === 1 ? [k, v[0]!] : [k, v])),
  );
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
