import { mkdirSync, writeFileSync } from 'node:fs';
import { BenchPostgres } from './lib/postgres.js';
import { printTable, type Figure } from './lib/report.js';
import { hotReads } from './hot-reads.js';
import { instructionCounts } from './instructions.js';
import { memory } from './memory.js';
import { provisioningBurst } from './provisioning-burst.js';
import { reconcileGrowth } from './reconcile-growth.js';
import { requestLimits } from './request-limits.js';
import { startup } from './startup.js';

/** `--sizes=5,1000`: the organization sizes hot-reads and instructions read (default both). */
const SIZES = process.argv
  .find((a) => a.startsWith('--sizes='))
  ?.slice('--sizes='.length)
  .split(',')
  .map(Number);

type Scenario = (pg: BenchPostgres, smoke: boolean) => Promise<Figure[]>;

const SCENARIOS: Record<string, Scenario> = {
  burst: (pg, smoke) =>
    provisioningBurst(
      pg,
      smoke
        ? { projects: 5, latencyMs: 5, coolifyLimitPerMinute: 10_000, timeoutMs: 60_000 }
        : { projects: 200, latencyMs: 50, coolifyLimitPerMinute: 200, timeoutMs: 360_000 },
    ),
  reconcile: (pg, smoke) =>
    reconcileGrowth(pg, smoke ? [10, 30] : [100, 1000, 10_000], smoke ? 2 : 5),
  'hot-reads': (pg, smoke) =>
    hotReads(
      pg,
      smoke
        ? { sizes: [5], connections: 4, rounds: 1, durationS: 1, warmupS: 1 }
        : { sizes: SIZES ?? [5, 1_000], connections: 64, rounds: 7, durationS: 3, warmupS: 2 },
    ),
  // Not at smoke sizes: valgrind runs each server ~50× slower (test/bench-callgrind.test.ts
  // keeps the counting itself working).
  instructions: (pg, smoke) =>
    smoke
      ? Promise.resolve([
          {
            bench: 'instructions',
            metric: 'not run with --smoke (valgrind runs servers ~50× slower)',
            value: 0,
            unit: '',
            goal: 'report',
            pass: true,
          },
        ])
      : instructionCounts(pg, { sizes: SIZES ?? [5, 1_000], requests: 3_000 }),
  memory: (pg, smoke) =>
    memory(
      pg,
      smoke
        ? { projects: 20, totalProjects: 50, connections: 4, runs: 2, durationS: 1 }
        : { projects: 1_000, totalProjects: 10_000, connections: 64, runs: 3, durationS: 30 },
    ),
  startup: (pg, smoke) => startup(pg, smoke ? 50 : 10_000),
  limits: (pg, smoke) =>
    requestLimits(pg, smoke ? { concurrent: 2, bodyMb: 2 } : { concurrent: 20, bodyMb: 50 }),
};

/**
 * Every figure is a ratio to a baseline measured in the same run, because the
 * machine is shared and noisy. `--smoke` runs tiny sizes to keep the harness alive;
 * `--only=a,b` picks scenarios; `reads` runs only Studio's hot reads (benchmark 1).
 */
export async function runBenchmarks(
  smoke: boolean,
  only?: string[],
  readsOnly = false,
): Promise<Figure[]> {
  if (readsOnly) only = ['hot-reads', 'instructions'];
  const pg = await BenchPostgres.start();
  const figures: Figure[] = [
    {
      bench: 'setup',
      metric: 'embedded Postgres start',
      value: pg.startMs,
      unit: 'ms',
      goal: 'report (excluded)',
      pass: true,
    },
  ];
  try {
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      try {
        figures.push(...(await scenario(pg, smoke)));
      } catch (err) {
        // One broken scenario must not hide the others' figures.
        const message = (err as Error).message;
        figures.push({
          bench: name,
          metric: `error: ${message}`,
          value: NaN,
          unit: '',
          goal: 'runs',
          pass: false,
        });
      } finally {
        await pg.dropDatabases();
      }
    }
  } finally {
    await pg.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const smoke = process.argv.includes('--smoke');
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const figures = await runBenchmarks(
    smoke,
    onlyArg?.slice('--only='.length).split(','),
    process.argv.includes('reads'),
  );
  printTable(figures);
  if (!smoke) {
    mkdirSync('bench/results', { recursive: true });
    const out = { at: new Date().toISOString(), figures };
    writeFileSync('bench/results/latest.json', JSON.stringify(out, null, 2));
  }
  process.exitCode = figures.every((f) => f.pass) ? 0 : 1;
}
