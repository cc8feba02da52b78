import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { getPgbouncerConfig, getPoolerConfig } from '../../connections/pooler.js';
import type { Router } from '../env.js';
import { bearer, errorResponses, jsonResponse, ProjectRefParam } from '../schemas.js';

const tags = ['Database'];

// SupavisorConfigResponse and the pgbouncer config, as openapi-v1.json spells them.
const PoolerEntry = z
  .object({
    identifier: z.string(),
    database_type: z.enum(['PRIMARY', 'READ_REPLICA']),
    is_using_scram_auth: z.boolean(),
    db_user: z.string(),
    db_host: z.string(),
    db_port: z.number().int(),
    db_name: z.string(),
    connection_string: z.string(),
    connectionString: z.string().openapi({ description: 'Use connection_string instead' }),
    default_pool_size: z.number().int().nullable(),
    max_client_conn: z.number().int().nullable(),
    pool_mode: z.enum(['transaction', 'session']),
  })
  .openapi('SupavisorConfigResponse');

const PgbouncerConfig = z
  .object({
    default_pool_size: z.number().int(),
    ignore_startup_parameters: z.string(),
    max_client_conn: z.number().int(),
    pool_mode: z.enum(['transaction', 'session', 'statement']),
    connection_string: z.string(),
    server_idle_timeout: z.number().int(),
    server_lifetime: z.number().int(),
    query_wait_timeout: z.number().int(),
    reserve_pool_size: z.number().int(),
  })
  .partial()
  .openapi('V1PgbouncerConfigResponse');

const pooler = createRoute({
  method: 'get',
  path: '/projects/{ref}/config/database/pooler',
  tags,
  summary: "The project's pooler (its stack's PgBouncer; none on template v1)",
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(z.array(PoolerEntry)), ...errorResponses },
});

const pgbouncer = createRoute({
  method: 'get',
  path: '/projects/{ref}/config/database/pgbouncer',
  tags,
  summary: "The project's PgBouncer settings (empty on template v1, which runs none)",
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(PgbouncerConfig), ...errorResponses },
});

export function v1PoolerRoutes(deps: Deps, router: Router): void {
  router.openapi(pooler, async (c) =>
    c.json(
      await getPoolerConfig(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref },
      }),
      200,
    ),
  );
  router.openapi(pgbouncer, async (c) =>
    c.json(
      await getPgbouncerConfig(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref },
      }),
      200,
    ),
  );
}
