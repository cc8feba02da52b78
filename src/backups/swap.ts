import type postgres from 'postgres';
import type { DatabaseProperties } from './data-key.js';

/**
 * Database-level moves for a restore, on a maintenance connection to another database
 * of the same server (a database cannot be renamed from inside). Everything here runs
 * as a superuser (supabase_admin).
 */
export interface SwapNames {
  live: string;
  /** Where the live database waits, untouched, until the restore succeeded. */
  previous: string;
}

const ident = (sql: postgres.Sql, name: string) => sql(name);

async function exists(sql: postgres.Sql, name: string) {
  const rows = await sql`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}

/**
 * Moves the live database aside and puts an empty one, closed to everyone but
 * superusers, in its place. Connections are refused and ended first; a rename fails
 * while anyone is connected, so it is retried a few times.
 */
export async function moveAside(sql: postgres.Sql, names: SwapNames): Promise<void> {
  // An earlier attempt crashed after moving the live database aside (mid pg_restore, or
  // before dropping the previous one): the previous database is the untouched original,
  // so put it back and start again.
  if (await exists(sql, names.previous)) await rollbackSwap(sql, names);
  const [old] = await sql<{ owner: string; encoding: string; collate: string; ctype: string }[]>`
    select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as encoding,
      datcollate as collate, datctype as ctype
    from pg_database where datname = ${names.live}`;
  if (!old) throw new Error(`database ${names.live} does not exist`);
  await sql`alter database ${ident(sql, names.live)} allow_connections false`;
  for (let attempt = 0; ; attempt++) {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${names.live} and pid <> pg_backend_pid()`;
    try {
      await sql`alter database ${ident(sql, names.live)} rename to ${ident(sql, names.previous)}`;
      break;
    } catch (err) {
      if (attempt >= 10) {
        await sql`alter database ${ident(sql, names.live)} allow_connections true`;
        throw err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await sql.unsafe(
    `create database ${quote(names.live)} owner ${quote(old.owner)} template template0 encoding '${old.encoding}' lc_collate '${old.collate.replaceAll("'", "''")}' lc_ctype '${old.ctype.replaceAll("'", "''")}'`,
  );
  // Only superusers (Supaplane) may connect while it is filled; the API roles wait.
  await sql`revoke connect, temporary on database ${ident(sql, names.live)} from public`;
}

/** The current database's access list and settings, read at backup time. */
export async function databaseProperties(sql: postgres.Sql): Promise<DatabaseProperties> {
  const [db] = await sql<{ acl: string | null }[]>`
    select datacl::text as acl from pg_database where datname = current_database()`;
  const settings = await sql<{ role: string | null; config: string[] }[]>`
    select r.rolname as role, s.setconfig as config from pg_db_role_setting s
    left join pg_roles r on r.oid = s.setrole
    where s.setdatabase = (select oid from pg_database where datname = current_database())
    order by r.rolname nulls first`;
  return {
    acl: db?.acl ?? null,
    settings: settings.map((s) => ({ role: s.role, config: s.config })),
  };
}

/**
 * The restore succeeded: the new database gets the backup's access list and settings
 * (`ALTER DATABASE … SET`, per role too), which pg_dump without --create does not carry,
 * and the previous database is dropped. Written to the catalogs because a setting's stored
 * text (e.g. a quoted search_path) does not survive a round trip through SET; settings of
 * a role this server does not have are skipped.
 */
export async function commitSwap(
  sql: postgres.Sql,
  names: SwapNames,
  properties: DatabaseProperties,
): Promise<void> {
  await sql.begin(async (tx) => {
    const [live] = await tx<
      { oid: number }[]
    >`select oid from pg_database where datname = ${names.live}`;
    await tx`update pg_database set datacl = ${properties.acl}::aclitem[] where oid = ${live!.oid}`;
    await tx`delete from pg_db_role_setting where setdatabase = ${live!.oid}`;
    for (const s of properties.settings) {
      await tx`insert into pg_db_role_setting (setdatabase, setrole, setconfig)
        select ${live!.oid}, r.oid, ${s.config}::text[]
        from (select case when ${s.role}::text is null then 0::oid
                          else (select oid from pg_roles where rolname = ${s.role}) end as oid) r
        where r.oid is not null`;
    }
  });
  await sql`drop database ${ident(sql, names.previous)}`;
}

/** The restore failed: drop what was filled and put the previous database back, open. */
export async function rollbackSwap(sql: postgres.Sql, names: SwapNames): Promise<void> {
  if (!(await exists(sql, names.previous))) return;
  if (await exists(sql, names.live)) {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${names.live} and pid <> pg_backend_pid()`;
    await sql`drop database ${ident(sql, names.live)}`;
  }
  await sql`alter database ${ident(sql, names.previous)} rename to ${ident(sql, names.live)}`;
  await sql`alter database ${ident(sql, names.live)} allow_connections true`;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
