import { connect } from 'node:net';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import type { BenchPostgres } from './lib/postgres.js';
import type { Figure } from './lib/report.js';
import { ensureBuilt, startServer, type ServerProcess } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

export interface RequestLimitOptions {
  /** Bodies sent at once to each route, in each framing. */
  concurrent: number;
  bodyMb: number;
}

const CHUNK = Buffer.alloc(1024 * 1024, 'a');

/**
 * Sends one `bodyMb` body as a hostile client would: headers, then the bytes as fast
 * as the socket takes them, declared with a Content-Length or chunked (so the server
 * cannot know the size up front). Resolves once the connection closes, with the
 * status read (0 for none) and whether the whole body went out before that.
 */
function sendHuge(
  base: URL,
  path: string,
  headers: Record<string, string>,
  mb: number,
  chunked: boolean,
): Promise<{ status: number; whole: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    let received = '';
    socket.on('data', (d) => (received += d.toString('latin1')));
    let sent = 0;
    const done = () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
        whole: sent === mb,
      });
    socket.on('error', done);
    socket.on('close', done);
    const head = Object.entries({ ...headers, 'Content-Type': 'application/json' })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const framing = chunked
      ? 'Transfer-Encoding: chunked\r\n'
      : `Content-Length: ${mb * CHUNK.length}\r\n`;
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${base.host}\r\n${head}${framing}\r\n`);
    const pump = () => {
      while (sent < mb && !socket.destroyed) {
        sent++;
        const ok = chunked
          ? socket.write(`${CHUNK.length.toString(16)}\r\n`) &&
            socket.write(CHUNK) &&
            socket.write('\r\n')
          : socket.write(CHUNK);
        if (!ok) return void socket.once('drain', pump);
      }
      if (!socket.destroyed) socket.end(chunked ? '0\r\n\r\n' : '');
    };
    pump();
  });
}

/** Polls `/health` every 50 ms until stopped; every answer must be a 200 within 2 s. */
function watchHealth(server: ServerProcess) {
  let stopped = false;
  let failures = 0;
  let answered = 0;
  let worstMs = 0;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const ok = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(2000) })
        .then(async (r) => (await r.arrayBuffer(), r.status === 200))
        .catch(() => false);
      worstMs = Math.max(worstMs, performance.now() - started);
      if (ok) answered++;
      else failures++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { failures, answered, worstMs };
    },
  };
}

/** Samples the server's RSS every 20 ms until stopped; the highest seen. */
function watchRss(server: ServerProcess) {
  let peak = server.rssMb();
  const timer = setInterval(() => (peak = Math.max(peak, server.rssMb())), 20);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, server.rssMb());
    },
  };
}

/**
 * Issue 17's abuse: `concurrent` bodies of `bodyMb` each, at once, to the login
 * route (no token) and to an authenticated JSON route, with and without a declared
 * length, against `npm start`'s build. /health must keep answering and the
 * server's resident memory must grow by less than 50 MB.
 */
export async function requestLimits(pg: BenchPostgres, o: RequestLimitOptions): Promise<Figure[]> {
  const sim = await startCoolifySim();
  const { env, headers } = await prepareStudioReads(pg, sim, { projects: 1, totalProjects: 1 });
  const server = await startServer([ensureBuilt()], env, '/ready');
  const base = new URL(server.url);
  const routes = [
    ['login', '/auth/v1/token?grant_type=password', {}],
    ['authenticated JSON', '/platform/organizations', headers],
  ] as const;
  try {
    // Warm both routes so first-use allocations are in the baseline, not the growth.
    for (const [, path, h] of routes) {
      for (let i = 0; i < 20; i++)
        await fetch(server.url + path, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/json' },
          body: '{}',
        }).then((r) => r.arrayBuffer());
    }
    const before = server.rssMb();
    const health = watchHealth(server);
    const rss = watchRss(server);
    const statuses = new Map<string, number>();
    const started = performance.now();
    for (const [, path, h] of routes) {
      for (const chunked of [false, true]) {
        const batch = Array.from({ length: o.concurrent }, () =>
          sendHuge(base, path, h, o.bodyMb, chunked),
        );
        for (const { status, whole } of await Promise.all(batch)) {
          // A connection closed by the server before the body was all sent is refused
          // too: the client wrote faster than it read, and the 413 was lost in the reset.
          const label = status ? String(status) : whole ? 'no answer' : 'cut off';
          statuses.set(label, (statuses.get(label) ?? 0) + 1);
        }
      }
    }
    const elapsedS = (performance.now() - started) / 1000;
    const peak = rss.stop();
    const { failures, answered, worstMs } = await health.stop();
    const after = server.rssMb();
    const growth = peak - before;
    const sent = routes.length * 2 * o.concurrent;
    const refused = (statuses.get('413') ?? 0) + (statuses.get('cut off') ?? 0);
    const what = `${o.concurrent} × ${o.bodyMb} MB at once, ×2 routes ×2 framings`;
    return [
      {
        bench: 'limits',
        metric: `RSS growth under ${what} (before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${after.toFixed(0)} MB)`,
        value: Math.round(growth * 10) / 10,
        unit: 'MB',
        goal: '< 50 MB',
        pass: growth < 50,
      },
      {
        bench: 'limits',
        metric: `/health during the bodies (${answered} answered in ${elapsedS.toFixed(1)} s, worst ${worstMs.toFixed(0)} ms)`,
        value: failures,
        unit: 'failed',
        goal: '= 0',
        pass: failures === 0 && answered > 0,
      },
      {
        bench: 'limits',
        metric: `bodies refused: 413, or cut off unread (${[...statuses].map(([s, n]) => `${s} ×${n}`).join(', ')})`,
        value: refused,
        unit: `of ${sent}`,
        goal: `= ${sent}`,
        pass: refused === sent,
      },
    ];
  } finally {
    await server.stop();
    await sim.close();
  }
}
