import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Config } from '../../config/config.js';
import { answerHeader } from '../answer-headers.js';
import type { AppEnv } from '../env.js';
import { bodyLimitFor, formatBytes, type BodyLimitsConfig } from '../limits/body-limits.js';
import { jsonNestedDeeperThan } from '../limits/json-depth.js';

type LimitsConfig = BodyLimitsConfig &
  Pick<Config, 'SUPAPLANE_URL_MAX_BYTES' | 'SUPAPLANE_JSON_MAX_DEPTH'>;

/**
 * The one place request sizes are bounded, before any route, auth included, runs:
 * the URL (414), the body (413, per route from BODY_LIMITS) and the nesting of a
 * JSON body (400). Reads and HEADs pass after one length check. Header size and
 * slow senders are the Node server's business (src/http/server.ts).
 *
 * Hono's bodyLimit (hono/dist/middleware/body-limit/index.js@4.13.19) is not used
 * as is: its first step reads `c.req.raw.body` (line 43), which on @hono/node-server
 * builds a full undici Request for every request, GETs included
 * (@hono/node-server/dist/index.mjs:528-531@2.1.8). Its behaviour is kept: a
 * declared Content-Length over the limit is refused without reading a byte (line
 * 45; Node's parser ends a body at its Content-Length, so it cannot grow past it),
 * and a body without one is counted while read and refused at the first chunk
 * past the limit (lines 50-54), never buffered beyond it. Unlike it, the 413 says
 * `Connection: close`, so Node stops reading and closes once it is sent;
 * without that, @hono/node-server would drain the rest for up to 500 ms or 64 MB
 * (drainIncoming, index.mjs:827-864), which bench/request-limits.ts measured at
 * nearly three times the memory growth.
 */
export function requestLimits(
  config: LimitsConfig,
): (c: Context<AppEnv>) => Response | Promise<Response | undefined> | undefined {
  const limitFor = bodyLimitFor(config);
  const maxUrl = config.SUPAPLANE_URL_MAX_BYTES;
  const maxDepth = config.SUPAPLANE_JSON_MAX_DEPTH;
  const checkBody = async (c: Context<AppEnv>): Promise<Response | undefined> => {
    const limit = limitFor(c.req.path);
    const tooLarge = () =>
      refuse(
        c,
        413,
        'payload_too_large',
        `Request body is larger than ${formatBytes(limit.bytes)}, the limit for this route`,
      );
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > limit.bytes) return tooLarge();
    const chunked = declared === undefined || c.req.header('transfer-encoding') !== undefined;
    const bytes = await readCapped(c.req.raw, limit.bytes, chunked);
    if (bytes === 'too large') return tooLarge();
    if (bytes === undefined) return undefined;
    if (limit.json && jsonNestedDeeperThan(bytes, maxDepth)) {
      return refuse(c, 400, 'validation', `Request body is nested deeper than ${maxDepth} levels`);
    }
    // What was read is what every later reader (validators, proxies) gets, empty or not.
    c.req.raw = new Request(c.req.raw, { body: bytes });
    return undefined;
  };
  // The refusal, if any; undefined to go on. Not async: a read costs two comparisons
  // and no promise of its own.
  return (c) => {
    if (c.req.url.length > maxUrl) {
      return refuse(c, 414, 'uri_too_long', `Request URL is longer than ${formatBytes(maxUrl)}`);
    }
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return undefined;
    return checkBody(c);
  };
}

/**
 * The body, at most `limit` bytes; undefined when there is none (nothing was read).
 * With a Content-Length, @hono/node-server reads it
 * straight from the socket; otherwise the stream is counted chunk by chunk.
 */
async function readCapped(
  req: Request,
  limit: number,
  chunked: boolean,
): Promise<Uint8Array | undefined | 'too large'> {
  if (!chunked) {
    const bytes = new Uint8Array(await req.arrayBuffer());
    return bytes.byteLength > limit ? 'too large' : bytes;
  }
  if (!req.body) return undefined;
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // Not cancelled: on Node that would destroy the socket before the 413 is written.
    if (size > limit) return 'too large';
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

function refuse(c: Context, status: ContentfulStatusCode, error: string, message: string) {
  // The rest of an oversized body is not wanted on this connection either.
  if (status === 413) answerHeader(c, 'connection', 'close');
  return c.json({ message, error }, status);
}
