import type { Context, Next } from 'hono';

/**
 * Puts `headers` on whatever response the request ends with. They are set before
 * the handler, where Hono adds them to c.json/c.body answers for free; touching
 * a finished response instead makes @hono/node-server build a full undici
 * Response (about 8% of the CPU of a project read). Handlers that return a
 * Response of their own (the data-page proxies) skip Hono's prepared headers, so
 * those get the missing ones afterwards, at the cost of one copy.
 */
export async function withResponseHeaders(
  c: Context,
  next: Next,
  headers: readonly (readonly [string, string])[],
): Promise<void> {
  for (const [name, value] of headers) c.header(name, value);
  await next();
  const missing = headers.filter(([name]) => !c.res.headers.has(name));
  if (missing.length === 0) return;
  const res = new Response(c.res.body, c.res);
  for (const [name, value] of missing) res.headers.set(name, value);
  c.res = res;
}
