import type { Context } from 'hono';
import type { RouterRoute } from 'hono/types';
import type { AppEnv } from './env.js';

/**
 * Headers as plain pairs until the answer is made, for routes whose handler makes
 * its own Response from bytes it shares between requests (`selfHeaded`, used with
 * sharedJson: Studio's hot reads). Everywhere else headers go on Hono's context
 * as they are set (`c.header`), which keeps them in an undici Headers object: for
 * a bare app, three `c.header` calls cost 51k instructions per request on top of
 * 201k, the same headers in a plain object given to `new Response` 1k (callgrind),
 * because @hono/node-server writes plain headers straight to Node and has to
 * convert a Headers object first (dist/index.mjs:943-958@2.1.8). c.body cannot keep
 * them plain: given more than one header it makes a Headers too
 * (hono/dist/context.js:263-268@4.13.19).
 */
const SELF_HEADED = new WeakSet<object>();

/** Marks a route handler that answers with `headedResponse` (see above). */
export function selfHeaded<H extends object>(handler: H): H {
  SELF_HEADED.add(handler);
  return handler;
}

/** `wrapper` answers as `handler` does (a router that wraps route handlers keeps the mark). */
export function sameHeadingAs<W extends object>(wrapper: W, handler: object): W {
  if (SELF_HEADED.has(handler)) SELF_HEADED.add(wrapper);
  return wrapper;
}

/** Whether the route that will answer a request (the last it matched) was marked selfHeaded. */
export function answersSelfHeaded(matched: readonly RouterRoute[]): boolean {
  const handler = matched.at(-1)?.handler;
  return handler !== undefined && SELF_HEADED.has(handler);
}

/**
 * Sets a header of this request's answer. Middleware uses this, never `c.header`,
 * so that on a selfHeaded route the header is not lost: it goes into the list the
 * handler's own Response is made with.
 */
export function answerHeader(c: Context<AppEnv>, name: string, value: string): void {
  const pending = c.get('answerHeaders');
  if (pending) pending.push([name.toLowerCase(), value]);
  else c.header(name, value);
}

/**
 * The answer of a selfHeaded route: `body` with the headers set so far, or, on any
 * other route (or without the every-request layer, as in unit tests of a router),
 * Hono's own c.body.
 */
export function headedResponse(c: Context<AppEnv>, body: Uint8Array<ArrayBuffer>, type: string) {
  const pending = c.get('answerHeaders');
  if (!pending) return c.body(body, 200, { 'Content-Type': type });
  const headers: Record<string, string> = { 'content-type': type };
  for (const [name, value] of pending) headers[name] = value;
  c.set('answerHeaders', undefined);
  c.set('answerHeadersGiven', true);
  return new Response(body, { status: 200, headers });
}

/**
 * For an answer a selfHeaded route did not make with headedResponse (an error):
 * the pending headers onto Hono's context, before it makes that answer.
 */
export function flushAnswerHeaders(c: Context<AppEnv>): void {
  const pending = c.get('answerHeaders');
  if (!pending) return;
  c.set('answerHeaders', undefined);
  c.set('answerHeadersGiven', true);
  for (const [name, value] of pending) c.header(name, value);
}

/**
 * After the handler: the headers still pending, which the answer lacks (a selfHeaded
 * route answered some other way). Undefined when there are none.
 */
export function takePendingHeaders(c: Context<AppEnv>): [string, string][] | undefined {
  const pending = c.get('answerHeaders');
  if (pending) c.set('answerHeaders', undefined);
  return pending;
}

/** Whether the answer was made with every header set for it (see headedResponse). */
export const answerHeadersGiven = (c: Context<AppEnv>) => c.get('answerHeadersGiven') === true;
