import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from '../config/config.js';
import { formatBytes } from './limits/body-limits.js';

type ServerConfig = Pick<
  Config,
  | 'PORT'
  | 'HOST'
  | 'SUPAPLANE_HEADER_MAX_BYTES'
  | 'SUPAPLANE_HEADERS_TIMEOUT_MS'
  | 'SUPAPLANE_REQUEST_TIMEOUT_MS'
  | 'SUPAPLANE_KEEP_ALIVE_TIMEOUT_MS'
>;

/**
 * The Node HTTP server for `fetch`, with the limits only Node can enforce: the size
 * of the request line and headers (431), and how long a client may take to send
 * its headers and its whole request (408), so a slow sender frees its socket.
 * Node checks those two timeouts every `connectionsCheckingInterval`, which is
 * derived here so that a timeout fires at most a quarter late.
 */
export function serveHttp(
  fetch: (req: Request) => Response | Promise<Response>,
  config: ServerConfig,
  onListening?: (info: AddressInfo) => void,
): Server {
  const server = serve(
    {
      fetch,
      port: config.PORT,
      hostname: config.HOST,
      serverOptions: {
        maxHeaderSize: config.SUPAPLANE_HEADER_MAX_BYTES,
        headersTimeout: config.SUPAPLANE_HEADERS_TIMEOUT_MS,
        requestTimeout: config.SUPAPLANE_REQUEST_TIMEOUT_MS,
        keepAliveTimeout: config.SUPAPLANE_KEEP_ALIVE_TIMEOUT_MS,
        connectionsCheckingInterval: Math.max(
          100,
          Math.min(30_000, Math.floor(config.SUPAPLANE_HEADERS_TIMEOUT_MS / 4)),
        ),
      },
    },
    onListening,
  ) as Server;
  server.on('clientError', (err, socket) => answerClientError(err, socket, config));
  return server;
}

/**
 * What Node's own clientError handler answers (400, 408 on a timeout, 431 on
 * oversized headers, then close), but with a JSON body carrying `message`, as
 * every other error of ours. Per Node's docs for 'clientError', nothing is written
 * once the socket is not writable or a response has begun.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, config: ServerConfig) {
  const started = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (err.code === 'ECONNRESET' || !socket.writable || started > 0) {
    socket.destroy();
    return;
  }
  const [status, error, message] = clientErrorAnswer(err, config);
  const body = JSON.stringify({ message, error });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function clientErrorAnswer(
  err: NodeJS.ErrnoException,
  config: ServerConfig,
): [number, string, string] {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return [
      431,
      'headers_too_large',
      `Request line and headers are larger than ${formatBytes(config.SUPAPLANE_HEADER_MAX_BYTES)}`,
    ];
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, 'request_timeout', 'The request was not received in time'];
  }
  return [400, 'bad_request', 'Malformed HTTP request'];
}
