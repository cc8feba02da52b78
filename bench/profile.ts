// `npm run bench:profile -- list|detail [size] [--logs-off] [--churn]`: serves Studio's hot
// read under load with `node --cpu-prof`, started as the bench starts it
// (production defaults: request logs on, into a file), and prints where the
// server's time went. `--churn` reads while statuses change and a create is in
// flight, as the bench's churn phase does (bench/lib/churn.ts). The profile is kept in bench/results/profiles for Chrome
// DevTools or speedscope.
import autocannon from 'autocannon';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { startChurn } from './lib/churn.js';
import { BenchPostgres } from './lib/postgres.js';
import { ensureBuilt, startServer } from './lib/server-process.js';
import { prepareStudioReads } from './lib/studio-reads.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const DIR = 'bench/results/profiles';

/** Self time per function, and time including callees (counted once per stack). */
function summarize(profile: CpuProfile, top = Number(process.env.TOP ?? 25)): void {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const name = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
  const selfByName = new Map<string, number>();
  const totalByName = new Map<string, number>();
  const walk = (n: ProfileNode, onStack: Set<string>): number => {
    const key = name(n);
    const own = self.get(n.id) ?? 0;
    selfByName.set(key, (selfByName.get(key) ?? 0) + own);
    const inner = new Set(onStack).add(key);
    let total = own;
    for (const c of n.children ?? []) total += walk(byId.get(c)!, inner);
    if (!onStack.has(key)) totalByName.set(key, (totalByName.get(key) ?? 0) + total);
    return total;
  };
  const all = walk(profile.nodes[0]!, new Set());
  for (const [title, table] of [
    ['self', selfByName],
    ['total', totalByName],
  ] as const) {
    console.log(`\n% of CPU samples, ${title}:`);
    for (const [k, v] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${((v / all) * 100).toFixed(1).padStart(6)}  ${k}`);
  }
}

const which = process.argv.includes('detail') ? 'detail' : 'list';
const size = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000);
const logsOff = process.argv.includes('--logs-off');
const churn = process.argv.includes('--churn');
const pg = await BenchPostgres.start();
const sim = await startCoolifySim();
try {
  const reads = await prepareStudioReads(pg, sim, {
    projects: size,
    totalProjects: size,
    flippable: churn ? Math.min(4, size - 1) : 0,
  });
  const { env, headers, paths } = reads;
  const serverEnv = {
    ...env,
    ...(logsOff ? { LOG_LEVEL: 'warn' } : {}),
    ...(churn ? { SUPAPLANE_RECONCILE_INTERVAL_MS: '1000' } : {}),
  };
  mkdirSync(DIR, { recursive: true });
  const before = new Set(readdirSync(DIR));
  const server = await startServer(
    ['--cpu-prof', `--cpu-prof-dir=${DIR}`, ensureBuilt()],
    serverEnv,
    '/ready',
    { stdoutFile: `${DIR}/server.log` },
  );
  const stopChurn = churn ? await startChurn({ sim, ...reads, url: server.url }) : async () => {};
  const r = await autocannon({
    url: server.url + paths[which],
    connections: 64,
    duration: Number(process.env.DURATION ?? 8),
    headers,
  });
  await stopChurn();
  await server.stop();
  console.log(
    `${which} @${size}, logs ${logsOff ? 'off' : 'on'}${churn ? ', churn' : ''}: ${r.requests.average} req/s, p99 ${r.latency.p99} ms (profiling slows it)`,
  );
  const file = readdirSync(DIR).find((f) => !before.has(f) && f.endsWith('.cpuprofile'))!;
  console.log(`profile: ${DIR}/${file}`);
  summarize(JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8')) as CpuProfile);
} finally {
  await sim.close();
  await pg.stop();
}
