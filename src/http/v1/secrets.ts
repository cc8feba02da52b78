import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  deleteFunctionSecrets,
  listFunctionSecrets,
  setFunctionSecrets,
} from '../../functions/function-secrets.js';
import type { Router } from '../env.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
  text,
} from '../schemas.js';

const tags = ['Edge Function secrets'];

const Secret = z
  .object({
    name: z.string(),
    value: z.string().openapi({ description: 'sha256 digest of the value (hex)' }),
    updated_at: z.string().optional(),
  })
  .openapi('V1SecretResponse');

const CreateSecretsBody = z
  .array(
    z.object({
      // The rules of src/functions/function-secrets.ts, published so clients see them.
      name: z
        .string()
        .min(1)
        .max(256)
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _, not starting with a digit')
        .regex(/^(?!SUPABASE_)/, 'must not start with SUPABASE_'),
      value: z
        .string()
        .max(24_576)
        .regex(
          /^(?!\s)[^'\r\n\0]*(?<!\s)$/,
          'no quotes or line breaks, no whitespace at either end',
        ),
    }),
  )
  .min(1)
  .max(100)
  .openapi('V1CreateSecretBody');

const DeleteSecretsBody = z
  .array(text().min(1).max(256))
  .min(1)
  .max(100)
  .openapi('V1DeleteSecretsBody');

const list = createRoute({
  method: 'get',
  path: '/projects/{ref}/secrets',
  tags,
  summary: 'List secrets (names and value digests)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(z.array(Secret)), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/projects/{ref}/secrets',
  tags,
  summary: 'Create or replace secrets; a running stack restarts to apply them',
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(CreateSecretsBody) },
  responses: { 201: { description: 'Stored; being applied' }, ...lifecycleErrors },
});

const remove = createRoute({
  method: 'delete',
  path: '/projects/{ref}/secrets',
  tags,
  summary: 'Delete secrets by name; a running stack restarts to apply it',
  security: bearer,
  request: { params: ProjectRefParam, body: jsonBody(DeleteSecretsBody) },
  responses: { 200: { description: 'Deleted; being applied' }, ...lifecycleErrors },
});

export function v1SecretRoutes(deps: Deps, router: Router): void {
  router.openapi(list, async (c) =>
    c.json(
      await listFunctionSecrets(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(create, async (c) => {
    await setFunctionSecrets(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, secrets: c.req.valid('json') },
    });
    return c.body(null, 201);
  });
  router.openapi(remove, async (c) => {
    await deleteFunctionSecrets(deps, {
      actor: c.get('principal'),
      input: { ref: c.req.valid('param').ref, names: c.req.valid('json') },
    });
    return c.body(null, 200);
  });
}
