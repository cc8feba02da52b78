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
  connections: number;
  /** Rounds of each phase; a round loads the ceiling, then each Supaplane process. */
  rounds: number;
  durationS: number;
  warmupS: number;
}

type Variant = 'on' | 'off' | 'churn';
const LABEL: Record<Variant, string> = {
  on: 'logs on (production default)',
  off: 'logs off (LOG_LEVEL=warn)',
  churn: 'logs on, statuses changing',
};

/** Per read: load runs by server, round by round, and the status changes seen under churn. */
interface ReadRuns {
  body: Uint8Array;
  runs: Record<Variant, Load[]>;
  /** The ceiling's runs beside each phase: [steady, churn]. */
  ceiling: { steady: Load[]; churn: Load[] };
  changes: number;
}

/**
 * Benchmark 1: Studio's two hot reads against the ceiling, a bare Hono app on
 * the same runtime serving the same bytes, encoded once (bench/lib/bare-server.ts).
 * Supaplane runs as `npm start` runs it, first as two processes on one database,
 * request logs on and request logs off; then as a third, logs on, reconciling
 * every second while stacks stop and start and a create is in flight
 * (bench/lib/churn.ts). Within a phase, rounds alternate the ceiling and each
 * process so a noisy stretch of the shared machine hits each alike; figures are
 * medians over rounds of each round's ratio.
 */
export async function hotReads(pg: BenchPostgres, o: HotReadOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-bench-logs-'));
  try {
    for (const size of o.sizes) figures.push(...(await atSize(pg, o, size, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

async function atSize(
  pg: BenchPostgres,
  o: HotReadOptions,
  size: number,
  dir: string,
): Promise<Figure[]> {
  // A create stays COMING_UP for a second, as a real stack takes a while to start.
  const sim = await startCoolifySim({ startDelayMs: 1000 });
  const reads = await prepareStudioReads(pg, sim, {
    projects: size,
    totalProjects: size,
    flippable: Math.min(4, size - 1),
  });
  const logFile = (v: Variant) => path.join(dir, `${size}-${v}.log`);
  const start = (v: Variant, extra: Record<string, string> = {}) =>
    startServer([ensureBuilt()], { ...reads.env, ...extra }, '/ready', {
      stdoutFile: logFile(v),
    });
  const answered: Record<Variant, number> = { on: 0, off: 0, churn: 0 };
  const count = (v: Variant, l: Load) => ((answered[v] += l.answered), l);
  const byRead = new Map<string, ReadRuns>();
  /** Runs `measure` with a ceiling server serving `read`'s bytes. */
  const withCeiling = async (
    read: string,
    body: Uint8Array,
    measure: (bare: ServerProcess) => unknown,
  ) => {
    const bodyFile = path.join(dir, `${size}-${read}.json`);
    writeFileSync(bodyFile, body);
    const bare = await startServer(
      ['--import', 'tsx', 'bench/lib/bare-server.ts'],
      { BARE_BODY_FILE: bodyFile },
      '/',
    );
    try {
      await measure(bare);
    } finally {
      await bare.stop();
    }
  };
  try {
    const on = await start('on');
    const off = await start('off', { LOG_LEVEL: 'warn' });
    try {
      for (const [read, p] of Object.entries(reads.paths)) {
        const sample = await fetch(on.url + p, { headers: reads.headers });
        if (sample.status !== 200) throw new Error(`${p} answered ${sample.status}`);
        answered.on++;
        const body = new Uint8Array(await sample.arrayBuffer());
        const r: ReadRuns = {
          body,
          runs: { on: [], off: [], churn: [] },
          ceiling: { steady: [], churn: [] },
          changes: 0,
        };
        byRead.set(read, r);
        const run = (server: ServerProcess, s: number) =>
          load(server, p, reads.headers, o.connections, s);
        const steady = { on, off };
        await withCeiling(read, body, async (bare) => {
          await run(bare, o.warmupS);
          for (const v of ['on', 'off'] as const) count(v, await run(steady[v], o.warmupS));
          for (let round = 0; round < o.rounds; round++) {
            r.ceiling.steady.push(await run(bare, o.durationS));
            for (const v of ['on', 'off'] as const)
              r.runs[v].push(count(v, await run(steady[v], o.durationS)));
          }
        });
      }
    } finally {
      await on.stop();
      await off.stop();
    }
    const churn = await start('churn', { SUPAPLANE_RECONCILE_INTERVAL_MS: '1000' });
    try {
      for (const [read, p] of Object.entries(reads.paths)) {
        const r = byRead.get(read)!;
        const run = (server: ServerProcess, s: number) =>
          load(server, p, reads.headers, o.connections, s);
        const churnRun = async (durationS: number) => {
          const before = await statusChanges(reads.env.DATABASE_URL!);
          const stop = await startChurn({ sim, ...reads, url: churn.url });
          try {
            return count('churn', await run(churn, durationS));
          } finally {
            answered.churn += await stop();
            r.changes += (await statusChanges(reads.env.DATABASE_URL!)) - before;
          }
        };
        await withCeiling(read, r.body, async (bare) => {
          await run(bare, o.warmupS);
          await churnRun(o.warmupS);
          r.changes = 0;
          for (let round = 0; round < o.rounds; round++) {
            r.ceiling.churn.push(await run(bare, o.durationS));
            r.runs.churn.push(await churnRun(o.durationS));
          }
        });
      }
    } finally {
      await churn.stop();
    }
  } finally {
    await sim.close();
  }
  const figures: Figure[] = [];
  for (const [read, r] of byRead) figures.push(...readFigures(`${read} @${size}`, r));
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
  return figures;
}

function countRequestLines(file: string): number {
  let n = 0;
  for (const line of readFileSync(file, 'utf8').split('\n'))
    if (line.includes('"msg":"request"')) n++;
  return n;
}

function readFigures(name: string, r: ReadRuns): Figure[] {
  const rps = (ls: Load[]) => median(ls.map((l) => l.rps));
  const figures: Figure[] = [];
  for (const v of ['on', 'off', 'churn'] as const) {
    const ceiling = v === 'churn' ? r.ceiling.churn : r.ceiling.steady;
    const ratio = median(r.runs[v].map((l, i) => l.rps / ceiling[i]!.rps));
    const p99 = median(r.runs[v].map((l) => l.p99));
    const ceilingP99 = median(ceiling.map((l) => l.p99));
    const held = v !== 'off'; // the goal is for production defaults; logs off is for comparison
    const cpu = median(r.runs[v].map((l) => l.cpuUs));
    const ceilingCpu = median(ceiling.map((l) => l.cpuUs));
    const cpuRatio = median(r.runs[v].map((l, i) => ceiling[i]!.cpuUs / l.cpuUs));
    const extra = v === 'churn' ? `, ${r.changes} status changes` : '';
    figures.push(
      {
        bench: 'hot-reads',
        metric: `${name}: ${LABEL[v]} vs ceiling (${r.body.length} B; ${rps(r.runs[v]).toFixed(0)} vs ${rps(ceiling).toFixed(0)} req/s${extra})`,
        value: ratio,
        unit: '×',
        goal: held ? '≥ 0.5' : 'report',
        pass: !held || ratio >= 0.5,
        detail: {
          rps: r.runs[v].map((l) => l.rps),
          ceilingRps: ceiling.map((l) => l.rps),
        },
      },
      {
        bench: 'hot-reads',
        metric: `${name}: ${LABEL[v]}, ceiling's CPU per answer / ours (${ceilingCpu.toFixed(0)} vs ${cpu.toFixed(0)} µs)`,
        value: cpuRatio,
        unit: '×',
        goal: held ? '≥ 0.5' : 'report',
        pass: !held || cpuRatio >= 0.5,
        detail: { cpuUs: r.runs[v].map((l) => l.cpuUs), ceilingCpuUs: ceiling.map((l) => l.cpuUs) },
      },
      {
        bench: 'hot-reads',
        metric: `${name}: ${LABEL[v]} p99 (ceiling p99: ${ceilingP99} ms)`,
        value: p99,
        unit: 'ms',
        goal: held ? '≤ 20 ms' : 'report',
        pass: !held || p99 <= 20,
        detail: { p99: r.runs[v].map((l) => l.p99), ceilingP99: ceiling.map((l) => l.p99) },
      },
    );
  }
  const all = [...r.runs.on, ...r.runs.off, ...r.runs.churn];
  const errors = all.reduce((sum, l) => sum + l.errors, 0);
  figures.push({
    bench: 'hot-reads',
    metric: `${name}: errors and non-2xx answers`,
    value: errors,
    unit: '',
    goal: '= 0',
    pass: errors === 0,
    correctness: true,
  });
  return figures;
}
