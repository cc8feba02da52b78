import { signAccessToken } from '../../src/auth/access-token-jwt.js';
import { dashboardSigningKey } from '../../src/auth/keys.js';
import { keyringFromBase64 } from '../../src/crypto/envelope.js';
import type { CoolifySim } from '../../test/coolify-sim/index.js';
import { makeFlippable } from './churn.js';
import { BENCH_KEY } from './deps.js';
import type { BenchPostgres } from './postgres.js';
import { seedHealthyProjects } from './seed.js';

export interface StudioReads {
  /** Environment for a Supaplane process serving this database. */
  env: Record<string, string>;
  /** What Studio sends: a signed-in owner's access token. */
  headers: Record<string, string>;
  paths: { list: string; detail: string };
  slug: string;
  /** Projects of the read organization whose stacks the bench may stop and start. */
  flippable: Awaited<ReturnType<typeof makeFlippable>>;
}

/**
 * A database of `totalProjects` healthy projects, `projects` of them in the one
 * organization a signed-in owner reads (other organizations fill the rest).
 * The server is configured as a user runs it: request logs at `info` (the
 * default), Coolify (the simulator) connected, reconciling every 15 s (the default).
 */
export async function prepareStudioReads(
  pg: BenchPostgres,
  sim: CoolifySim,
  o: { projects: number; totalProjects: number; flippable?: number },
): Promise<StudioReads> {
  const { url, database } = await pg.freshDatabase();
  const seeded = await seedHealthyProjects(database, sim, o.projects);
  for (let left = o.totalProjects - o.projects; left > 0; left -= o.projects)
    await seedHealthyProjects(database, sim, Math.min(left, o.projects));
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
  // Not the first project: that one's detail is read, and stays ACTIVE_HEALTHY.
  const flippable = await makeFlippable(
    database,
    sim,
    seeded.refs.slice(1, 1 + (o.flippable ?? 0)),
  );
  await database.close();
  return {
    env: {
      DATABASE_URL: url,
      SUPAPLANE_ENCRYPTION_KEY: BENCH_KEY,
      COOLIFY_URL: sim.url,
      COOLIFY_TOKEN: sim.token,
      COOLIFY_SERVER_UUIDS: sim.state.servers.map((s) => s.uuid).join(','),
      SUPAPLANE_PROJECT_DOMAIN: 'bench.test',
      SUPAPLANE_GATEWAY_URL: sim.gatewayUrlTemplate,
    },
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    paths: {
      list: `/platform/organizations/${seeded.slug}/projects?limit=96&offset=0&sort=name_asc`,
      detail: `/platform/projects/${seeded.refs[0]}`,
    },
    slug: seeded.slug,
    flippable,
  };
}
