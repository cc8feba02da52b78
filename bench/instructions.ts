import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCoolifySim, type CoolifySim } from '../test/coolify-sim/index.js';
import { startCounted, valgrindAvailable, type Counted } from './lib/callgrind.js';
import type { BenchPostgres } from './lib/postgres.js';
import type { Figure } from './lib/report.js';
import { ensureBuilt } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

export interface InstructionOptions {
  sizes: number[];
  /** Requests counted per read and server (after as many for warm-up). */
  requests: number;
}

/**
 * Benchmark 1, counted instead of timed: user-space instructions per answer of
 * Studio's two hot reads, Supaplane (as `npm start` runs it, logs on and off)
 * against the ceiling (bench/lib/bare-server.ts serving the same bytes), each
 * under callgrind (bench/lib/callgrind.ts). The machine's load does not move
 * these counts, so the ratio is the steadiest figure of the bench. Kernel work
 * (socket and log writes) is not counted: the CPU-time figures of hot-reads
 * include it.
 */
export async function instructionCounts(
  pg: BenchPostgres,
  o: InstructionOptions,
): Promise<Figure[]> {
  if (!valgrindAvailable()) {
    return [
      {
        bench: 'instructions',
        metric: 'skipped: valgrind is not installed',
        value: 0,
        unit: '',
        goal: 'report',
        pass: true,
      },
    ];
  }
  const figures: Figure[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-bench-cg-'));
  try {
    for (const size of o.sizes) figures.push(...(await atSize(pg, o, size, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/**
 * Returns once the simulator has had no call for `quietMs`. The reconciler's first pass
 * starts with the server; under valgrind it lasts minutes over 1,000 projects, and its
 * Coolify reads, row writes and the cache invalidations they notify were counted as the
 * list read's own (list @1000: parsing dates and JSON of re-read rows and Coolify answers).
 */
async function untilCoolifyQuiet(sim: CoolifySim, quietMs = 5_000): Promise<void> {
  for (let seen = -1; seen !== sim.calls.length;) {
    seen = sim.calls.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

async function atSize(
  pg: BenchPostgres,
  o: InstructionOptions,
  size: number,
  dir: string,
): Promise<Figure[]> {
  const sim = await startCoolifySim();
  const figures: Figure[] = [];
  try {
    const reads = await prepareStudioReads(pg, sim, { projects: size, totalProjects: size });
    const counted: Record<string, { on?: Counted; off?: Counted; ceiling?: Counted }> = {};
    const bodies: Record<string, Uint8Array> = {};
    for (const logs of ['on', 'off'] as const) {
      // Work on a timer (a reconcile tick every 15 s) is counted per wall-clock second, and
      // valgrind stretches each second over ~50× fewer answers: ticks are left out here
      // (the churn figures of hot-reads measure reads while they run). The session check's
      // 2 s window is not configurable and stays in: about one database check per 2 s.
      const quiet = { ...reads.env, SUPAPLANE_RECONCILE_INTERVAL_MS: '3600000' };
      const env = logs === 'on' ? quiet : { ...quiet, LOG_LEVEL: 'warn' };
      const server = await startCounted(
        [ensureBuilt()],
        env,
        '/ready',
        path.join(dir, `${size}-${logs}.log`),
      );
      try {
        await untilCoolifyQuiet(sim);
        for (const [read, p] of Object.entries(reads.paths)) {
          if (!bodies[read]) {
            const sample = await fetch(server.url + p, { headers: reads.headers });
            if (sample.status !== 200) throw new Error(`${p} answered ${sample.status}`);
            bodies[read] = new Uint8Array(await sample.arrayBuffer());
          }
          (counted[read] ??= {})[logs] = await server.perAnswer(p, reads.headers, o.requests);
        }
      } finally {
        await server.stop();
      }
    }
    for (const [read, p] of Object.entries(reads.paths)) {
      const bodyFile = path.join(dir, `${size}-${read}.json`);
      writeFileSync(bodyFile, bodies[read]!);
      const bare = await startCounted(
        ['--import', 'tsx', 'bench/lib/bare-server.ts'],
        { BARE_BODY_FILE: bodyFile },
        '/',
      );
      try {
        counted[read]!.ceiling = await bare.perAnswer(p, {}, o.requests);
      } finally {
        await bare.stop();
      }
    }
    for (const [read, c] of Object.entries(counted)) {
      const ceiling = c.ceiling!.instructions;
      for (const logs of ['on', 'off'] as const) {
        const ours = c[logs]!.instructions;
        const held = logs === 'on';
        figures.push({
          bench: 'instructions',
          metric: `${read} @${size}: logs ${logs}, ceiling's instructions per answer / ours (${(ceiling / 1000).toFixed(0)}k vs ${(ours / 1000).toFixed(0)}k)`,
          value: ceiling / ours,
          unit: '×',
          goal: held ? '≥ 0.5' : 'report',
          pass: !held || ceiling / ours >= 0.5,
          detail: { instructions: ours, ceilingInstructions: ceiling, requests: o.requests },
        });
      }
      const errors = c.on!.errors + c.off!.errors + c.ceiling!.errors;
      figures.push({
        bench: 'instructions',
        metric: `${read} @${size}: errors and non-2xx answers while counted`,
        value: errors,
        unit: '',
        goal: '= 0',
        pass: errors === 0,
        correctness: true,
      });
    }
  } finally {
    await sim.close();
  }
  return figures;
}
