import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header, read from Node's own parsed headers when the request came
 * through @hono/node-server (which passes `{ incoming, outgoing }` as the env:
 * dist/index.mjs:1063@2.1.8), and from Hono's request otherwise (app.request in
 * tests). Hono's c.req.header reads the Fetch Request's Headers, which
 * @hono/node-server builds on first use from every raw header, each validated
 * (newHeadersFromIncoming): 9k instructions per request for the three headers every
 * read looks at (x-request-id, origin, authorization), against none for Node's.
 * Node joins a repeated header with ", " as Headers does, except the few it keeps
 * the first of (authorization among them; Node's docs, `message.headers`).
 */
export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
