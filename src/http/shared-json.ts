import type { Context, TypedResponse } from 'hono';
import { headedResponse } from './answer-headers.js';
import type { AppEnv } from './env.js';

const serialized = new WeakMap<object, Uint8Array<ArrayBuffer>>();
const utf8 = new TextEncoder();

/**
 * c.json for answers the read cache shares between requests (see ReadCache): the
 * same object comes back until a write replaces it, so it is serialized (and
 * UTF-8 encoded) once. Serializing a 96-project page was the largest cost of
 * Studio's list read. Routes answering with it are marked `selfHeaded`
 * (src/http/answer-headers.ts), so that their headers stay plain too.
 */
export function sharedJson<T extends object>(c: Context<AppEnv>, value: T) {
  let body = serialized.get(value);
  if (body === undefined) serialized.set(value, (body = utf8.encode(JSON.stringify(value))));
  const res = headedResponse(c, body, 'application/json');
  // The body is exactly JSON.stringify(value), so the route's declared type holds.
  return res as unknown as TypedResponse<T, 200, 'json'>;
}
