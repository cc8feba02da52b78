import { randomInt } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { CURRENT_TEMPLATE_VERSION } from '../../src/provisioner/template.js';
import { seedProject, seedServices } from '../../test/coolify-sim/seed.js';
import type { CoolifySim } from '../../test/coolify-sim/index.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const ref = () => Array.from({ length: 20 }, () => LETTERS[randomInt(26)]).join('');

export interface Seeded {
  organizationId: number;
  slug: string;
  refs: string[];
}

/**
 * `count` healthy projects in one organization, spread over the simulator's
 * servers, each with a matching running service in the simulator.
 */
export async function seedHealthyProjects(
  database: Database,
  sim: CoolifySim,
  count: number,
): Promise<Seeded> {
  const slug = `bench-${randomInt(1e9)}`;
  const [org] = await database.sql<{ id: string }[]>`
    insert into organizations (slug, name) values (${slug}, 'Bench Org') returning id`;
  const coolifyProject = seedProject(sim.state as never, `Supabase: Bench Org (${slug})`);
  const servers = sim.state.servers.map((s) => s.uuid);
  const refs = Array.from({ length: count }, ref);
  const placement = refs.map((_, i) => servers[i % servers.length]!);
  const uuids = seedServices(
    sim.state as never,
    coolifyProject,
    refs.map((r, i) => ({
      name: `Project ${i} (${r})`,
      serverUuid: placement[i]!,
      tags: ['supaplane', r],
    })),
  );
  const names = refs.map((_, i) => `Project ${i}`);
  await database.sql`
    insert into projects (ref, name, organization_id, status, server_uuid, coolify_project_uuid,
                          coolify_service_uuid, template_version)
    select r, n, ${org!.id}, 'ACTIVE_HEALTHY', s, ${coolifyProject.uuid}, u, ${CURRENT_TEMPLATE_VERSION}
    from unnest(${refs}::text[], ${names}::text[], ${placement}::text[], ${uuids}::text[]) as t(r, n, s, u)`;
  // As on a server that has been running: today's daily backups are taken (a row per
  // project and UTC day, src/backups/schedule.ts). Otherwise the schedule's first pass
  // would queue a pg_dump for every project whose time of day has passed, a number
  // that depends on the clock, of databases that do not exist here.
  const today = new Date().toISOString().slice(0, 10);
  await database.sql`
    insert into backups (project_id, kind, status, scheduled_for, actor, completed_at)
    select id, 'scheduled', 'COMPLETED', ${today}::date, 'schedule', now()
    from projects where ref = any(${refs}::text[])`;
  await database.sql`update organizations set coolify_project_uuid = ${coolifyProject.uuid} where id = ${org!.id}`;
  return { organizationId: Number(org!.id), slug, refs };
}
