import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  applyMigration,
  generateTypescriptTypes,
  getMigration,
  listMigrations,
  runQuery,
  runReadOnlyQuery,
} from '../../database/query.js';
import type { Router } from '../env.js';
import {
  bearer,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
  text,
} from '../schemas.js';

const tags = ['Database'];

const MAX_SQL = 1024 * 1024;
const sql = text().min(1).max(MAX_SQL);

const RunQueryBody = z
  .object({
    query: sql,
    parameters: z.array(z.unknown()).max(1000).optional(),
    read_only: z.boolean().optional(),
  })
  .openapi('V1RunQueryBody');

const ReadOnlyQueryBody = z
  .object({ query: sql, parameters: z.array(z.unknown()).max(1000).optional() })
  .openapi('V1ReadOnlyQueryBody');

const Rows = z
  .array(z.unknown())
  .openapi({ description: 'Rows of the last statement returning any' });

const MigrationBody = z
  .object({
    query: sql,
    name: text().max(256).optional(),
    rollback: text().max(MAX_SQL).optional(),
  })
  .openapi('V1CreateMigrationBody');

const Migration = z
  .object({
    version: z.string().min(1),
    name: z.string().optional(),
    statements: z.array(z.string()).optional(),
    rollback: z.array(z.string()).optional(),
    created_by: z.string().optional(),
    idempotency_key: z.string().optional(),
  })
  .openapi('V1GetMigrationResponse');

const query = createRoute({
  method: 'post',
  path: '/projects/{ref}/database/query',
  tags,
  summary: "Run SQL through the project's postgres-meta",
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(RunQueryBody) },
  responses: { 201: jsonResponse(Rows), ...lifecycleErrors },
});

const readOnly = createRoute({
  method: 'post',
  path: '/projects/{ref}/database/query/read-only',
  tags,
  summary: 'Run one statement in a read-only transaction as supabase_read_only_user',
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(ReadOnlyQueryBody) },
  responses: { 201: jsonResponse(Rows), ...lifecycleErrors },
});

const migrations = createRoute({
  method: 'get',
  path: '/projects/{ref}/database/migrations',
  tags,
  summary: 'List applied migrations (supabase_migrations.schema_migrations)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: {
    200: jsonResponse(
      z.array(z.object({ version: z.string().min(1), name: z.string().optional() })),
    ),
    ...lifecycleErrors,
  },
});

const apply = createRoute({
  method: 'post',
  path: '/projects/{ref}/database/migrations',
  tags,
  summary: 'Apply a migration and record it, in one transaction (honours Idempotency-Key)',
  security: bearer,
  request: {
    params: ProjectRefParam,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
    body: jsonBody(MigrationBody),
  },
  responses: {
    200: { description: 'Applied (or already applied under this Idempotency-Key)' },
    ...lifecycleErrors,
  },
});

const migration = createRoute({
  method: 'get',
  path: '/projects/{ref}/database/migrations/{version}',
  tags,
  summary: 'Get one applied migration',
  security: bearer,
  request: {
    params: ProjectRefParam.extend({
      version: z
        .string()
        .regex(/^\d{1,30}$/)
        .openapi({ param: { name: 'version', in: 'path' } }),
    }),
  },
  responses: { 200: jsonResponse(Migration), ...lifecycleErrors },
});

const types = createRoute({
  method: 'get',
  path: '/projects/{ref}/types/typescript',
  tags,
  summary: "TypeScript types for the project's schemas (pg-meta's generator)",
  security: bearer,
  request: {
    params: ProjectRefParam,
    query: z.object({ included_schemas: text().max(4096).default('public') }),
  },
  responses: {
    200: jsonResponse(z.object({ types: z.string() }).openapi('V1TypescriptResponse')),
    ...lifecycleErrors,
  },
});

export function v1DatabaseRoutes(deps: Deps, router: Router): void {
  router.openapi(query, async (c) => {
    const body = c.req.valid('json');
    const rows = await runQuery(deps, {
      actor: c.get('principal'),
      input: {
        ref: c.req.valid('param').ref,
        query: body.query,
        parameters: body.parameters,
        readOnly: body.read_only,
      },
    });
    return c.json(rows, 201);
  });
  router.openapi(readOnly, async (c) => {
    const body = c.req.valid('json');
    const rows = await runReadOnlyQuery(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, query: body.query, parameters: body.parameters },
    });
    return c.json(rows, 201);
  });
  router.openapi(migrations, async (c) =>
    c.json(
      await listMigrations(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(apply, async (c) => {
    const body = c.req.valid('json');
    await applyMigration(deps, {
      actor: c.get('principal'),
      input: {
        ref: c.req.valid('param').ref,
        query: body.query,
        name: body.name,
        rollback: body.rollback,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      },
    });
    return c.body(null, 200);
  });
  router.openapi(migration, async (c) =>
    c.json(
      await getMigration(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(types, async (c) =>
    c.json(
      await generateTypescriptTypes(deps, {
        actor: c.get('principal'),
        input: {
          ref: c.req.valid('param').ref,
          includedSchemas: c.req.valid('query').included_schemas,
        },
      }),
      200,
    ),
  );
}
