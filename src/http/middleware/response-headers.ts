import type { Context, Next } from 'hono';
import { answerHeader, answerHeadersGiven } from '../answer-headers.js';
import type { AppEnv } from '../env.js';

type HeaderPairs = readonly (readonly [string, string])[];

/**
 * Puts `headers` on whatever response the request ends with. They are set before
 * the handler, where Hono adds them to c.json/c.body answers for free; touching
 * a finished response instead makes @hono/node-server build a full undici
 * Response (about 8% of the CPU of a project read). Handlers that return a
 * Response of their own (the data-page proxies) skip Hono's prepared headers, so
 * those get the missing ones afterwards, at the cost of one copy.
 */
export async function withResponseHeaders(c: Context<AppEnv>, next: Next, headers: HeaderPairs) {
  setResponseHeaders(c, headers);
  await next();
  addMissingHeaders(c, headers);
}

/** Before the handler: see withResponseHeaders. */
export function setResponseHeaders(c: Context<AppEnv>, headers: HeaderPairs): void {
  for (const [name, value] of headers) answerHeader(c, name, value);
}

/** After the handler, onto a Response it made itself: see withResponseHeaders. */
export function addMissingHeaders(c: Context<AppEnv>, headers: HeaderPairs): void {
  // On a selfHeaded route they are pending or given (src/http/answer-headers.ts).
  if (c.get('answerHeaders') !== undefined || answerHeadersGiven(c)) return;
  const missing = headers.filter(([name]) => !c.res.headers.has(name));
  if (missing.length === 0) return;
  const res = new Response(c.res.body, c.res);
  for (const [name, value] of missing) res.headers.set(name, value);
  c.res = res;
}
