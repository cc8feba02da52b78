import { startCoolifySim } from '../test/coolify-sim/index.js';
import { load } from './lib/load.js';
import type { BenchPostgres } from './lib/postgres.js';
import type { Figure } from './lib/report.js';
import { ensureBuilt, startServer } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

export interface MemoryOptions {
  /** Projects in the organization whose list is read. */
  projects: number;
  /** Projects in the whole database (other organizations fill the rest). */
  totalProjects: number;
  connections: number;
  /** Consecutive load runs against one server process. */
  runs: number;
  durationS: number;
}

/** Benchmark 4: one server's RSS over consecutive runs of Studio's list read, logs on. */
export async function memory(pg: BenchPostgres, o: MemoryOptions): Promise<Figure[]> {
  const sim = await startCoolifySim();
  const reads = await prepareStudioReads(pg, sim, o);
  const server = await startServer([ensureBuilt()], reads.env, '/ready');
  const rss: number[] = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      await load(server, reads.paths.list, reads.headers, o.connections, o.durationS);
      rss.push(server.rssMb());
    }
  } finally {
    await server.stop();
    await sim.close();
  }
  const growth = rss[rss.length - 1]! / rss[0]!;
  return [
    {
      bench: 'memory',
      metric: `RSS after ${o.totalProjects} projects + load, logs on (runs: ${rss.map((r) => r.toFixed(0)).join(', ')} MB)`,
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
  ];
}
