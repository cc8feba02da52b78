import type { Context, TypedResponse } from 'hono';

const serialized = new WeakMap<object, Uint8Array<ArrayBuffer>>();
const utf8 = new TextEncoder();

/**
 * c.json for answers the read cache shares between requests (see ReadCache): the
 * same object comes back until a write replaces it, so it is serialized (and
 * UTF-8 encoded) once. Serializing a 96-project page was the largest cost of
 * Studio's list read.
 */
export function sharedJson<T extends object>(c: Context, value: T) {
  let body = serialized.get(value);
  if (body === undefined) serialized.set(value, (body = utf8.encode(JSON.stringify(value))));
  const res = c.body(body, 200, { 'Content-Type': 'application/json' });
  // The body is exactly JSON.stringify(value), so the route's declared type holds.
  return res as unknown as TypedResponse<T, 200, 'json'>;
}
