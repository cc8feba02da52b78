import autocannon from 'autocannon';
import { signAccessToken } from '../src/auth/access-token-jwt.js';
import { dashboardSigningKey } from '../src/auth/keys.js';
import { keyringFromBase64 } from '../src/crypto/envelope.js';
import { startCoolifySim } from '../test/coolify-sim/index.js';
import { BENCH_KEY } from './lib/deps.js';
import type { BenchPostgres } from './lib/postgres.js';
import type { Figure } from './lib/report.js';
import { seedHealthyProjects } from './lib/seed.js';
import { ensureBuilt, startServer } from './lib/server-process.js';

export interface HotReadOptions {
  projects: number;
  connections: number;
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
  const { url: dbUrl, database } = await pg.freshDatabase();
  const seeded = await seedHealthyProjects(database, sim, o.projects);
  const [user] = await database.sql<{ id: string }[]>`
    insert into users (email, password_hash) values ('bench@example.com', null) returning id`;
  await database.sql`insert into memberships (organization_id, user_id, role) values (${seeded.organizationId}, ${user!.id}, 'owner')`;
  await database.sql`insert into profiles (user_id, username) values (${user!.id}, 'bench')`;
  const [session] = await database.sql<
    { id: string }[]
  >`insert into sessions (user_id) values (${user!.id}) returning id`;
  const token = await signAccessToken(dashboardSigningKey(keyringFromBase64(BENCH_KEY)), {
    sub: user!.id,
    email: 'bench@example.com',
    session_id: session!.id,
    aal: 'aal1',
  });
  await database.close();
  const env = {
    DATABASE_URL: dbUrl,
    SUPAPLANE_ENCRYPTION_KEY: BENCH_KEY,
    LOG_LEVEL: 'warn',
    // Keep background work out of the measurement: no Coolify, so no reconcile calls.
    SUPAPLANE_RECONCILE_INTERVAL_MS: '3600000',
  };
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  const paths = {
    list: `/platform/organizations/${seeded.slug}/projects?limit=96&offset=0&sort=name_asc`,
    detail: `/platform/projects/${seeded.refs[0]}`,
  };
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
        const base = await load(bare.url + path, headers, o.connections, o.durationS);
        const ours = await load(server.url + path, headers, o.connections, o.durationS);
        const ratio = ours.rps / base.rps;
        figures.push(
          {
            bench: 'hot-reads',
            metric: `${name}: throughput vs bare Hono (${body.length} B)`,
            value: ratio,
            unit: '×',
            goal: '≥ 0.5',
            pass: ratio >= 0.5,
          },
          {
            bench: 'hot-reads',
            metric: `${name}: p99 latency`,
            value: ours.p99,
            unit: 'ms',
            goal: '≤ 20 ms',
            pass: ours.p99 <= 20,
          },
          {
            bench: 'hot-reads',
            metric: `${name}: errors`,
            value: ours.errors,
            unit: '',
            goal: '= 0',
            pass: ours.errors === 0,
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
        metric: `RSS after ${o.projects} projects + load (runs: ${rss.map((r) => r.toFixed(0)).join(', ')} MB)`,
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
