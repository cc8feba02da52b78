import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp } from '../../src/http/server.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';

/**
 * Issue 17, on real sockets through the Node server main.ts starts: oversized
 * headers, slow senders and oversized streamed bodies. The slow-client run lasts
 * SLOW_CLIENTS_MS (4 s here; `SLOW_CLIENTS_MS=30000` for the 30 s of the issue)
 * against a 1 s header timeout (SLOW_HEADERS_TIMEOUT_MS; production's is 15 s).
 */
const SLOW_CLIENTS = 50;
const SLOW_CLIENTS_MS = Number(process.env.SLOW_CLIENTS_MS ?? 4000);
const HEADERS_TIMEOUT_MS = Number(process.env.SLOW_HEADERS_TIMEOUT_MS ?? 1000);

let h: ApiHarness;
let owner: SignedInUser;
let server: Server;
let port: number;

beforeAll(async () => {
  h = await startApiHarness();
  owner = await h.signIn('owner');
  server = await new Promise<Server>((resolve) => {
    const s = serveHttp(
      h.app.fetch,
      {
        ...h.deps.config,
        PORT: 0,
        HOST: '127.0.0.1',
        SUPAPLANE_HEADERS_TIMEOUT_MS: HEADERS_TIMEOUT_MS,
        SUPAPLANE_REQUEST_TIMEOUT_MS: 2 * HEADERS_TIMEOUT_MS,
      },
      () => resolve(s),
    );
  });
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await h.close();
});

/** Writes `request` on a fresh socket and resolves with everything the server sent back. */
function rawExchange(request: string | ((socket: Socket) => void)): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', (err) => (received ? resolve(received) : reject(err)));
    socket.on('close', () => resolve(received));
    if (typeof request === 'string') socket.write(request);
    else request(socket);
  });
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
const bodyOf = (raw: string) => JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as unknown;

describe('the Node server', () => {
  it('answers 431 with a message to headers over SUPAPLANE_HEADER_MAX_BYTES', async () => {
    const raw = await rawExchange(
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    expect(statusOf(raw)).toBe(431);
    expect(bodyOf(raw)).toEqual({
      message: 'Request line and headers are larger than 16 KB',
      error: 'headers_too_large',
    });
  });

  it('answers 414 past SUPAPLANE_URL_MAX_BYTES, and 431 once the URL alone overflows the headers', async () => {
    const long = await rawExchange(
      `GET /health?q=${'a'.repeat(10 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(statusOf(long)).toBe(414);
    const huge = await rawExchange(
      `GET /health?q=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(statusOf(huge)).toBe(431);
  });

  it('refuses a chunked 50 MB body with 413 and closes the connection', async () => {
    let written = 0;
    const raw = await rawExchange((socket) => {
      socket.write(
        'POST /auth/v1/token?grant_type=password HTTP/1.1\r\nHost: x\r\n' +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = `${(64 * 1024).toString(16)}\r\n${'a'.repeat(64 * 1024)}\r\n`;
      const pump = () => {
        while (written < 800 && !socket.destroyed) {
          written++;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        if (!socket.destroyed) socket.end('0\r\n\r\n');
      };
      pump();
    });
    expect(statusOf(raw)).toBe(413);
    expect(raw).toMatch(/\r\nconnection: close\r\n/i);
    expect((bodyOf(raw) as { message: string }).message).toMatch(/larger than 64 KB/);
    // The socket was closed long before the 800 chunks (50 MB) were all written.
    expect(written).toBeLessThan(800);
  });

  it(`keeps answering others while ${SLOW_CLIENTS} clients trickle headers for ${SLOW_CLIENTS_MS / 1000} s`, async () => {
    const until = Date.now() + SLOW_CLIENTS_MS;
    let cutOff = 0;
    let timeoutAnswers = 0;
    // Each slow client sends a header byte every 100 ms and reconnects when cut off.
    const slowClient = async () => {
      while (Date.now() < until) {
        const raw = await rawExchange((socket) => {
          socket.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
          const timer = setInterval(() => {
            if (Date.now() >= until) socket.destroy();
            else if (!socket.destroyed) socket.write('a');
          }, 100);
          socket.on('close', () => clearInterval(timer));
        }).catch(() => '');
        if (Date.now() < until) cutOff++;
        if (statusOf(raw) === 408) timeoutAnswers++;
      }
    };
    const slow = Array.from({ length: SLOW_CLIENTS }, slowClient);

    const base = `http://127.0.0.1:${port}`;
    const latencies: number[] = [];
    const statuses = new Set<number>();
    while (Date.now() < until) {
      for (const [path, headers] of [
        ['/health', {}],
        ['/platform/organizations', owner.headers],
      ] as const) {
        const started = performance.now();
        const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
        statuses.add(res.status);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(slow);

    if (process.env.SLOW_CLIENTS_REPORT)
      console.info({
        requests: latencies.length,
        worstMs: Math.max(...latencies),
        cutOff,
        timeoutAnswers,
      });
    expect([...statuses]).toEqual([200]);
    expect(latencies.length).toBeGreaterThan(10);
    // Generous for a shared two-core machine; a blocked server would hit the 5 s abort.
    expect(Math.max(...latencies)).toBeLessThan(2000);
    // The server, not the clients, ended the slow connections, and said why.
    if (SLOW_CLIENTS_MS > 3 * HEADERS_TIMEOUT_MS) {
      expect(cutOff).toBeGreaterThanOrEqual(SLOW_CLIENTS);
      expect(timeoutAnswers).toBeGreaterThanOrEqual(SLOW_CLIENTS);
    }
  }, 120_000);
});
