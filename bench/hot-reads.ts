import autocannon from 'autocannon';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import type { BenchPostgres } from './lib/postgres.js';
import { median, type Figure } from './lib/report.js';
import { ensureBuilt, startServer } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

export interface HotReadOptions {
  /** Projects in the organization whose list and detail are read. */
  projects: number;
  /** Projects in the whole database (other organizations fill the rest), for the memory figure. */
  totalProjects: number;
  connections: number;
  /** Each round loads the bare app, then Supaplane, for durationS each. */
  rounds: number;
  durationS: number;
  /** Consecutive load runs against one server process, for the memory figure. */
  memoryRuns: number;
  memoryDurationS: number;
}

interface Load {
  rps: number;
  p99: number;
  errors: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationS: number,
): Promise<Load> {
  const result = await autocannon({ url, connections, duration: durationS, headers });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Benchmarks 1 and 4: Studio's hot reads against a bare Hono app, and memory under that load. */
export async function hotReads(pg: BenchPostgres, o: HotReadOptions): Promise<Figure[]> {
  const sim = await startCoolifySim();
  const { env, headers, paths } = await prepareStudioReads(pg, sim, o);
  const figures: Figure[] = [];
  const server = await startServer([ensureBuilt()], env, '/ready');
  try {
    for (const [name, path] of Object.entries(paths)) {
      const sample = await fetch(server.url + path, { headers });
      if (sample.status !== 200) throw new Error(`${path} answered ${sample.status}`);
      const body = await sample.text();
      const bare = await startServer(
        ['--import', 'tsx', 'bench/lib/bare-server.ts'],
        { BARE_BODY: body },
        '/',
      );
      try {
        await load(bare.url + path, headers, o.connections, Math.min(2, o.durationS)); // warm-up
        await load(server.url + path, headers, o.connections, Math.min(2, o.durationS));
        // Rounds alternate the two servers so a noisy stretch of the machine hits
        // both alike; each figure is the median over rounds.
        const ratios: number[] = [];
        const base: Load[] = [];
        const ours: Load[] = [];
        for (let round = 0; round < o.rounds; round++) {
          base.push(await load(bare.url + path, headers, o.connections, o.durationS));
          ours.push(await load(server.url + path, headers, o.connections, o.durationS));
          ratios.push(ours[round]!.rps / base[round]!.rps);
        }
        const ratio = median(ratios);
        const rps = (runs: Load[]) => median(runs.map((r) => r.rps)).toFixed(0);
        const p99 = median(ours.map((r) => r.p99));
        const errors = ours.reduce((sum, r) => sum + r.errors, 0);
        figures.push(
          {
            bench: 'hot-reads',
            metric: `${name}: throughput vs bare Hono (${body.length} B; ${rps(ours)} vs ${rps(base)} req/s)`,
            value: ratio,
            unit: '×',
            goal: '≥ 0.5',
            pass: ratio >= 0.5,
          },
          {
            bench: 'hot-reads',
            metric: `${name}: p99 latency (bare Hono: ${median(base.map((r) => r.p99))} ms)`,
            value: p99,
            unit: 'ms',
            goal: '≤ 20 ms',
            pass: p99 <= 20,
          },
          {
            bench: 'hot-reads',
            metric: `${name}: errors`,
            value: errors,
            unit: '',
            goal: '= 0',
            pass: errors === 0,
            correctness: true,
          },
        );
      } finally {
        await bare.stop();
      }
    }
    const rss: number[] = [];
    for (let i = 0; i < o.memoryRuns; i++) {
      await load(server.url + paths.list, headers, o.connections, o.memoryDurationS);
      rss.push(server.rssMb());
    }
    const growth = rss[rss.length - 1]! / rss[0]!;
    figures.push(
      {
        bench: 'memory',
        metric: `RSS after ${o.totalProjects} projects + load (runs: ${rss.map((r) => r.toFixed(0)).join(', ')} MB)`,
        value: Math.max(...rss),
        unit: 'MB',
        goal: '≤ 200 MB',
        pass: Math.max(...rss) <= 200,
      },
      {
        bench: 'memory',
        metric: 'RSS last run / first run',
        value: growth,
        unit: '×',
        goal: '≤ 1.05 (no growth)',
        pass: growth <= 1.05,
      },
    );
  } finally {
    await server.stop();
    await sim.close();
  }
  return figures;
}
