import type { Config } from '../config/config.js';
import type { Project } from '../db/schema/index.js';
import { dbTlsServed, projectDbHost } from '../projects/views.js';
import { connectionString, DB, POOLER_SETTINGS, poolerServed } from './strings.js';

type Row = Pick<Project, 'ref' | 'templateVersion' | 'createdAt'>;

/**
 * GET /platform/projects/{ref}/config/pgbouncer (PgbouncerConfigResponse). Studio's
 * Connect dialog shows its `connection_string` as the transaction pooler
 * ("dedicated", granted by the `dedicated_pooler` entitlement:
 * ConnectStepsSection.tsx@0523a036, resolveConnectionString in
 * ConnectionString.utils.ts@129ca671), which for v2 is the stack's PgBouncer. v1 runs
 * none: disabled, with the old direct string.
 */
export function pgbouncerView(config: Config, p: Row) {
  const host = projectDbHost(config, p.ref);
  const served = poolerServed(p);
  const port = served ? DB.poolerPort : DB.directPort;
  return {
    connection_string: connectionString(config, p, port),
    db_dns_name: host,
    db_host: host,
    db_name: DB.name,
    db_port: port,
    db_user: DB.user,
    inserted_at: p.createdAt.toISOString(),
    pgbouncer_enabled: served,
    pgbouncer_status: served ? ('ENABLED' as const) : ('DISABLED' as const),
    pool_mode: POOLER_SETTINGS.pool_mode,
    ssl_enforced: dbTlsServed(p),
    ...(served
      ? {
          default_pool_size: POOLER_SETTINGS.default_pool_size,
          max_client_conn: POOLER_SETTINGS.max_client_conn,
          ignore_startup_parameters: POOLER_SETTINGS.ignore_startup_parameters,
        }
      : {}),
  };
}

/**
 * SupavisorConfigResponse[]: GET /platform/projects/{ref}/config/supavisor and
 * /v1/projects/{ref}/config/database/pooler. The stack's PgBouncer is the project's
 * pooler, so it is listed as the primary's. Studio takes its transaction and
 * session strings from this entry (the session one by changing 6543 to 5432, which
 * is the direct route: a session of its own); with no entry they would be empty.
 */
export function poolerConfigView(config: Config, p: Row) {
  if (!poolerServed(p)) return [];
  const uri = connectionString(config, p, DB.poolerPort);
  return [
    {
      identifier: p.ref,
      database_type: 'PRIMARY' as const,
      is_using_scram_auth: true,
      db_user: DB.user,
      db_host: projectDbHost(config, p.ref),
      db_port: DB.poolerPort,
      db_name: DB.name,
      connection_string: uri,
      connectionString: uri,
      default_pool_size: POOLER_SETTINGS.default_pool_size,
      max_client_conn: POOLER_SETTINGS.max_client_conn,
      pool_mode: POOLER_SETTINGS.pool_mode,
    },
  ];
}

/** GET /v1/projects/{ref}/config/database/pgbouncer: every field is optional; v1 has none. */
export function v1PgbouncerView(config: Config, p: Row) {
  if (!poolerServed(p)) return {};
  return { ...POOLER_SETTINGS, connection_string: connectionString(config, p, DB.poolerPort) };
}
