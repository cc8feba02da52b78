import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { startChurn } from './lib/churn.js';
import { load, statusChanges, type Load } from './lib/load.js';
import type { BenchPostgres } from './lib/postgres.js';
import { median, type Figure } from './lib/report.js';
import { ensureBuilt, startServer, type ServerProcess } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

export interface HotReadOptions {
  /** Organization sizes read (projects in the organization): Studio sees 5 and 1,000. */
  sizes: number[];
  /** Projects in the whole database at the largest size (other organizations fill it). */
  totalProjects: number;
  connections: number;
  /** Each round loads the ceiling, then Supaplane logs on, logs off and under churn. */
  rounds: number;
  durationS: number;
  warmupS: number;
  /** Consecutive load runs against the logs-on server at the largest size; 0 skips memory. */
  memoryRuns: number;
  memoryDurationS: number;
}

type Variant = 'on' | 'off' | 'churn';
const LABEL: Record<Variant, string> = {
  on: 'logs on (production default)',
  off: 'logs off (LOG_LEVEL=warn)',
  churn: 'logs on, statuses changing',
};

/**
 * Benchmarks 1 and 4: Studio's two hot reads against the ceiling (a bare Hono app
 * on the same runtime serving the same bytes, encoded once, bench/lib/bare-server.ts),
 * and memory under that load. Supaplane runs as `npm start` runs it, in three
 * processes on one database: request logs on, request logs off, and logs on with
 * a reconcile tick every second while stacks stop and start and a create is in
 * flight (bench/lib/churn.ts). Rounds alternate all four so a noisy stretch of
 * the shared machine hits each alike; figures are medians over rounds.
 */
export async function hotReads(pg: BenchPostgres, o: HotReadOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const largest = Math.max(...o.sizes);
  const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-bench-logs-'));
  try {
    for (const size of o.sizes) {
      // A create stays COMING_UP for a second, as a real stack takes a while to start.
      const sim = await startCoolifySim({ startDelayMs: 1000 });
      const reads = await prepareStudioReads(pg, sim, {
        projects: size,
        totalProjects: size === largest ? Math.max(size, o.totalProjects) : size,
        flippable: Math.min(4, size - 1),
      });
      const servers: Partial<Record<Variant, ServerProcess>> = {};
      const logFile = (v: Variant) => path.join(dir, `${size}-${v}.log`);
      const answered: Record<Variant, number> = { on: 0, off: 0, churn: 0 };
      try {
        const start = (v: Variant, extra: Record<string, string>) =>
          startServer([ensureBuilt()], { ...reads.env, ...extra }, '/ready', {
            stdoutFile: logFile(v),
          });
        servers.on = await start('on', {});
        servers.off = await start('off', { LOG_LEVEL: 'warn' });
        servers.churn = await start('churn', { SUPAPLANE_RECONCILE_INTERVAL_MS: '1000' });
        const urls = { on: servers.on.url, off: servers.off.url, churn: servers.churn.url };
        for (const [read, p] of Object.entries(reads.paths)) {
          const sample = await fetch(urls.on + p, { headers: reads.headers });
          if (sample.status !== 200) throw new Error(`${p} answered ${sample.status}`);
          const body = new Uint8Array(await sample.arrayBuffer());
          answered.on++;
          const bodyFile = path.join(dir, `${size}-${read}.json`);
          writeFileSync(bodyFile, body);
          const bare = await startServer(
            ['--import', 'tsx', 'bench/lib/bare-server.ts'],
            { BARE_BODY_FILE: bodyFile },
            '/',
          );
          try {
            const run = async (url: string, durationS: number) =>
              load(url + p, reads.headers, o.connections, durationS);
            const count = (v: Variant, l: Load) => ((answered[v] += l.answered), l);
            const churnRun = async (durationS: number) => {
              const before = await statusChanges(reads.env.DATABASE_URL!);
              const stop = await startChurn({ sim, ...reads, url: urls.churn });
              answered.churn++;
              try {
                const l = count('churn', await run(urls.churn, durationS));
                return { ...l, changes: (await statusChanges(reads.env.DATABASE_URL!)) - before };
              } finally {
                stop();
              }
            };
            await run(bare.url, o.warmupS);
            for (const v of ['on', 'off'] as const) count(v, await run(urls[v], o.warmupS));
            await churnRun(o.warmupS);
            const runs: Record<Variant | 'ceiling', Load[]> = {
              ceiling: [],
              on: [],
              off: [],
              churn: [],
            };
            let changes = 0;
            for (let round = 0; round < o.rounds; round++) {
              runs.ceiling.push(await run(bare.url, o.durationS));
              for (const v of ['on', 'off'] as const)
                runs[v].push(count(v, await run(urls[v], o.durationS)));
              const c = await churnRun(o.durationS);
              changes += c.changes;
              runs.churn.push(c);
            }
            figures.push(...readFigures(`${read} @${size}`, body.length, runs, changes));
          } finally {
            await bare.stop();
          }
        }
        if (size === largest && o.memoryRuns > 0) {
          const m = await memory(servers.on, reads.paths.list, reads.headers, o);
          answered.on += m.answered;
          figures.push(...m.figures);
        }
      } finally {
        for (const s of Object.values(servers)) await s.stop();
        await sim.close();
      }
      // Stopped with SIGTERM, as an orchestrator stops it: every answer must be in the log.
      for (const v of ['on', 'churn'] as const) {
        const lines = countRequestLines(logFile(v));
        figures.push({
          bench: 'hot-reads',
          metric: `@${size} ${v === 'on' ? 'logs on' : 'churn'}: request log lines / answers (${lines} / ${answered[v]})`,
          value: lines / answered[v],
          unit: '×',
          goal: '≥ 1 (every request logged, flushed at exit)',
          pass: lines >= answered[v],
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

function countRequestLines(file: string): number {
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n'))
    if (line.includes('"msg":"request"')) n++;
  return n;
}

function readFigures(
  name: string,
  bytes: number,
  runs: Record<Variant | 'ceiling', Load[]>,
  changes: number,
): Figure[] {
  const rps = (ls: Load[]) => median(ls.map((l) => l.rps));
  const ceiling = rps(runs.ceiling);
  const ceilingP99 = median(runs.ceiling.map((l) => l.p99));
  const figures: Figure[] = [];
  for (const v of ['on', 'off', 'churn'] as const) {
    const ratio = median(runs[v].map((l, i) => l.rps / runs.ceiling[i]!.rps));
    const p99 = median(runs[v].map((l) => l.p99));
    const held = v !== 'off'; // the goal is for production defaults; logs off is for comparison
    const extra = v === 'churn' ? `, ${changes} status changes` : '';
    figures.push(
      {
        bench: 'hot-reads',
        metric: `${name}: ${LABEL[v]} vs ceiling (${bytes} B; ${rps(runs[v]).toFixed(0)} vs ${ceiling.toFixed(0)} req/s${extra})`,
        value: ratio,
        unit: '×',
        goal: held ? '≥ 0.5' : 'report',
        pass: !held || ratio >= 0.5,
        detail: { rps: rps(runs[v]), ceilingRps: ceiling, rounds: runs[v].map((l) => l.rps) },
      },
      {
        bench: 'hot-reads',
        metric: `${name}: ${LABEL[v]} p99 (ceiling p99: ${ceilingP99} ms)`,
        value: p99,
        unit: 'ms',
        goal: held ? '≤ 20 ms' : 'report',
        pass: !held || p99 <= 20,
        detail: { ceilingP99 },
      },
    );
  }
  const errors = [...runs.on, ...runs.off, ...runs.churn].reduce((sum, l) => sum + l.errors, 0);
  figures.push({
    bench: 'hot-reads',
    metric: `${name}: errors and non-2xx answers`,
    value: errors,
    unit: '',
    goal: '= 0',
    pass: errors === 0,
  });
  return figures;
}

async function memory(
  server: ServerProcess,
  listPath: string,
  headers: Record<string, string>,
  o: HotReadOptions,
): Promise<{ figures: Figure[]; answered: number }> {
  const rss: number[] = [];
  let answered = 0;
  for (let i = 0; i < o.memoryRuns; i++) {
    answered += (await load(server.url + listPath, headers, o.connections, o.memoryDurationS))
      .answered;
    rss.push(server.rssMb());
  }
  const growth = rss[rss.length - 1]! / rss[0]!;
  const figures: Figure[] = [
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
  return { figures, answered };
}
