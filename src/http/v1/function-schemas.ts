import { z } from '@hono/zod-openapi';
import { FUNCTION_STATUSES } from '../../db/schema/index.js';
import { booleanQuery, ProjectRefParam } from '../schemas.js';

/** Shapes of the functions endpoints, as openapi-v1.json names and spells them. */

const Status = z.enum(FUNCTION_STATUSES);

export const FunctionResponse = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: Status,
    version: z.number().int(),
    created_at: z.number().int(),
    updated_at: z.number().int(),
    verify_jwt: z.boolean().optional(),
    import_map: z.boolean().optional(),
    entrypoint_path: z.string().optional(),
    import_map_path: z.string().optional(),
    ezbr_sha256: z.string().optional(),
  })
  .openapi('FunctionResponse');

export const SlugParam = ProjectRefParam.extend({
  function_slug: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a function slug')
    .openapi({ param: { name: 'function_slug', in: 'path' }, description: 'Function slug' }),
});

const slug = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/);

/** Query parameters of the JSON create and update (they may carry the fields too). */
export const FunctionQuery = z.object({
  slug: slug.optional(),
  name: z.string().optional(),
  verify_jwt: booleanQuery.optional(),
  import_map: booleanQuery.optional(),
  entrypoint_path: z.string().optional(),
  import_map_path: z.string().optional(),
  ezbr_sha256: z.string().optional(),
});

export const CreateBody = z
  .object({
    slug,
    name: z.string().min(1).max(256),
    body: z.string(),
    verify_jwt: z.boolean().optional(),
  })
  .openapi('V1CreateFunctionBody');

export const UpdateBody = z
  .object({
    name: z.string().min(1).max(256).optional(),
    body: z.string().optional(),
    verify_jwt: z.boolean().optional(),
  })
  .openapi('V1UpdateFunctionBody');

export const BulkBody = z
  .array(
    z.object({
      id: z.string(),
      slug,
      name: z.string().min(1).max(256),
      status: Status,
      version: z.number().int().positive(),
      created_at: z.number().int().optional(),
      verify_jwt: z.boolean().optional(),
      import_map: z.boolean().optional(),
      entrypoint_path: z.string().optional(),
      import_map_path: z.string().optional(),
      ezbr_sha256: z.string().optional(),
    }),
  )
  .min(1)
  .max(100)
  .openapi('BulkUpdateFunctionBody');

export const DeployQuery = z.object({
  slug: slug.optional().openapi({ param: { name: 'slug', in: 'query' } }),
  bundleOnly: booleanQuery.optional(),
});

/** Documents the multipart body; the handler reads it itself (files keep their paths). */
export const DeployBody = {
  type: 'object' as const,
  required: ['metadata'],
  properties: {
    file: { type: 'array' as const, items: { type: 'string' as const, format: 'binary' } },
    metadata: {
      type: 'object' as const,
      required: ['entrypoint_path'],
      properties: {
        entrypoint_path: { type: 'string' as const },
        import_map_path: { type: 'string' as const },
        static_patterns: { type: 'array' as const, items: { type: 'string' as const } },
        verify_jwt: { type: 'boolean' as const },
        name: { type: 'string' as const },
      },
    },
  },
};
