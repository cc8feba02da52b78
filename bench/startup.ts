import { spawn } from 'node:child_process';
import { freePort } from '../src/db/embedded.js';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { BENCH_KEY } from './lib/deps.js';
import { ensureBuilt } from './lib/server-process.js';
import type { BenchPostgres } from './lib/postgres.js';
import { median, type Figure } from './lib/report.js';
import { seedHealthyProjects } from './lib/seed.js';

/** Milliseconds from spawning `entry` until `GET <path>` answers 200. */
async function timeToReady(
  args: string[],
  env: Record<string, string>,
  path: string,
): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}${path}`)
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return performance.now() - t0;
      if (child.exitCode !== null)
        throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      if (performance.now() - t0 > 60_000) throw new Error('not ready within 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

// The baseline: plain node starting a server that answers at once.
const BARE = `import { createServer } from 'node:http';
createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

/**
 * Process start to /ready with an existing database of `projects` projects
 * (embedded Postgres start excluded: the database is already running).
 */
export async function startup(pg: BenchPostgres, projects: number, runs = 3): Promise<Figure[]> {
  const sim = await startCoolifySim();
  const { url, database } = await pg.freshDatabase();
  try {
    await seedHealthyProjects(database, sim, projects);
    const env = {
      DATABASE_URL: url,
      SUPAPLANE_ENCRYPTION_KEY: BENCH_KEY,
      COOLIFY_URL: sim.url,
      COOLIFY_TOKEN: sim.token,
      COOLIFY_SERVER_UUIDS: sim.state.servers.map((s) => s.uuid).join(','),
      SUPAPLANE_PROJECT_DOMAIN: 'bench.test',
      LOG_LEVEL: 'warn',
    };
    const main = ensureBuilt();
    const supaplane: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      bare.push(await timeToReady(['--input-type=module', '-e', BARE], env, '/'));
      supaplane.push(await timeToReady([main], env, '/ready'));
    }
    const ms = median(supaplane);
    const ratio = ms / median(bare);
    return [
      {
        bench: 'startup',
        metric: `start → /ready with ${projects} projects`,
        value: ms,
        unit: 'ms',
        goal: '≤ 1500 ms',
        pass: ms <= 1500,
      },
      {
        bench: 'startup',
        metric: 'ratio to a bare node server',
        value: ratio,
        unit: '×',
        goal: 'report',
        pass: true,
      },
    ];
  } finally {
    await database.close();
    await sim.close();
  }
}
