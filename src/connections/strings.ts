import type { Config } from '../config/config.js';
import type { Project } from '../db/schema/index.js';
import { dbTlsServed, projectDbHost } from '../projects/views.js';

/**
 * The database connections a project's stack serves (docs/adr/0003-database-connections.md):
 * direct through Traefik's `postgres` entrypoint to Postgres, pooled through its
 * `pooler` entrypoint to the stack's PgBouncer, both on `db.<ref>.<domain>` and both
 * as `postgres` with the user's own password. Template v1 serves neither: its
 * strings keep their old form and the pooler is reported as not there.
 */

export const DB = { name: 'postgres', user: 'postgres', directPort: 5432, poolerPort: 6543 };

/** What the template's pgbouncer.ini sets (coolify-templates/supabase/v2/docker-compose.yaml). */
export const POOLER_SETTINGS = {
  pool_mode: 'transaction' as const,
  default_pool_size: 15,
  max_client_conn: 200,
  ignore_startup_parameters: 'extra_float_digits',
  // PgBouncer's defaults, which the template leaves alone (src/main.c@515b6284, 1.25.2).
  server_idle_timeout: 600,
  server_lifetime: 3600,
  query_wait_timeout: 120,
  reserve_pool_size: 0,
};

/** Studio's placeholder; it shows our strings as they are (ConnectionString.utils.ts@129ca671). */
export const PASSWORD_PLACEHOLDER = '[YOUR-PASSWORD]';

/** Whether the project's stack runs the pooler (template v2 and later). */
export const poolerServed = (p: Pick<Project, 'templateVersion'>) => p.templateVersion !== 'v1';

/** `postgresql://postgres:[YOUR-PASSWORD]@db.<ref>.<domain>:<port>/postgres`, TLS required where served. */
export function connectionString(
  config: Config,
  p: Pick<Project, 'ref' | 'templateVersion'>,
  port: number,
): string {
  const host = projectDbHost(config, p.ref);
  const tls = dbTlsServed(p) ? '?sslmode=require' : '';
  return `postgresql://${DB.user}:${PASSWORD_PLACEHOLDER}@${host}:${port}/${DB.name}${tls}`;
}
