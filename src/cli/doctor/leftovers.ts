import type postgres from 'postgres';
import { ok, skip, warn, type Check } from './check.js';

/**
 * Projects deleted while Coolify could not reach their server (audit D11): Coolify dropped
 * its rows, but containers, volumes and files may remain on the host, and nothing in Coolify
 * points to them any more. The warning on each project says what to look for.
 */
export async function leftoversCheck(sql: postgres.Sql): Promise<Check> {
  const title = 'No leftovers of deleted projects on Coolify hosts';
  let rows: { ref: string; server_uuid: string; coolify_service_uuid: string | null }[];
  try {
    rows = await sql`
      select ref, server_uuid, coolify_service_uuid from projects
      where status = 'REMOVED' and warning is not null
      order by status_changed_at desc`;
  } catch (err) {
    return skip(title, `cannot read projects (${(err as Error).message.split('\n')[0]})`);
  }
  if (!rows.length) return ok(title);
  const list = rows
    .slice(0, 20)
    .map(
      (r) =>
        `${r.ref} on server ${r.server_uuid} (containers *-${r.coolify_service_uuid}, volumes ${r.coolify_service_uuid}_*, /data/coolify/services/${r.coolify_service_uuid})`,
    )
    .join('; ');
  return warn(
    title,
    `${rows.length} project${rows.length > 1 ? 's were' : ' was'} deleted while the server was unreachable: ${list}${rows.length > 20 ? '; …' : ''}`,
    'on each host: `docker rm -f` those containers, `docker volume rm` those volumes, remove that folder',
  );
}
