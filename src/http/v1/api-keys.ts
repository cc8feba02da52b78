import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  createApiKey,
  deleteApiKey,
  getApiKey,
  legacyApiKeysStatus,
  listApiKeys,
  updateApiKey,
} from '../../api-keys/api-keys.js';
import type { Router } from '../env.js';
import {
  bearer,
  booleanQuery,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
  text,
} from '../schemas.js';

const tags = ['API keys'];

const ApiKey = z
  .object({
    api_key: z.string().nullable(),
    id: z.string().nullable(),
    type: z.enum(['legacy', 'publishable', 'secret']).nullable(),
    prefix: z.string().nullable(),
    name: z.string(),
    description: z.string().nullable(),
    hash: z.string().nullable(),
    secret_jwt_template: z.record(z.string(), z.unknown()).nullable(),
    inserted_at: z.string().nullable(),
    updated_at: z.string().nullable(),
  })
  .openapi('V1ApiKeyResponse');

const keyName = z
  .string()
  .min(4)
  .max(64)
  .regex(/^[a-z_][a-z0-9_]+$/, 'lowercase letters, digits and _');
const template = z.record(z.string(), z.unknown()).nullish();

const CreateBody = z
  .object({
    type: z.enum(['publishable', 'secret']),
    name: keyName,
    description: text().max(1024).nullish(),
    secret_jwt_template: template,
  })
  .openapi('V1CreateApiKeyBody');

const UpdateBody = z
  .object({
    name: keyName.optional(),
    description: text().max(1024).nullish(),
    secret_jwt_template: template,
  })
  .openapi('V1UpdateApiKeyBody');

const KeyParams = ProjectRefParam.extend({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'Key id (a uuid, or anon / service_role)',
    }),
});

const Reveal = z.object({ reveal: booleanQuery });

const list = createRoute({
  method: 'get',
  path: '/projects/{ref}/api-keys',
  tags,
  summary: "List the project's API keys (secret values only with reveal=true)",
  security: bearer,
  request: { params: ProjectRefParam, query: Reveal },
  responses: { 200: jsonResponse(z.array(ApiKey)), ...errorResponses },
});

const legacy = createRoute({
  method: 'get',
  path: '/projects/{ref}/api-keys/legacy',
  tags,
  summary: 'Whether the legacy JWT keys are enabled (always, on Supaplane stacks)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(z.object({ enabled: z.boolean() })), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/projects/{ref}/api-keys/{id}',
  tags,
  summary: 'Get one API key',
  security: bearer,
  request: { params: KeyParams, query: Reveal },
  responses: { 200: jsonResponse(ApiKey), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/projects/{ref}/api-keys',
  tags,
  summary: 'Create the publishable or secret key (one of each); restarts the stack',
  security: bearer,
  request: { params: ProjectRefParam, query: Reveal, body: jsonBody(CreateBody) },
  responses: { 201: jsonResponse(ApiKey), ...lifecycleErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/projects/{ref}/api-keys/{id}',
  tags,
  summary: "Rename or describe a key (its value doesn't change)",
  security: bearer,
  request: { params: KeyParams, query: Reveal, body: jsonBody(UpdateBody) },
  responses: { 200: jsonResponse(ApiKey), ...errorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/projects/{ref}/api-keys/{id}',
  tags,
  summary: 'Delete a key: its value stops working once the stack has restarted',
  security: bearer,
  request: {
    params: KeyParams,
    query: Reveal.extend({
      was_compromised: booleanQuery,
      reason: text().max(500).optional(),
    }),
  },
  responses: { 200: jsonResponse(ApiKey), ...lifecycleErrors },
});

export function v1ApiKeyRoutes(deps: Deps, router: Router): void {
  router.openapi(list, async (c) =>
    c.json(
      await listApiKeys(deps, {
        actor: c.get('principal'),
        input: { ...c.req.valid('param'), reveal: c.req.valid('query').reveal },
      }),
      200,
    ),
  );
  // Before /api-keys/{id}: "legacy" is not an id.
  router.openapi(legacy, async (c) =>
    c.json(
      await legacyApiKeysStatus(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(get, async (c) =>
    c.json(
      await getApiKey(deps, {
        actor: c.get('principal'),
        input: { ...c.req.valid('param'), reveal: c.req.valid('query').reveal },
      }),
      200,
    ),
  );
  router.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const key = await createApiKey(deps, {
      actor: c.get('principal'),
      input: {
        ref: c.req.valid('param').ref,
        reveal: c.req.valid('query').reveal,
        type: body.type,
        name: body.name,
        description: body.description,
        secretJwtTemplate: body.secret_jwt_template,
      },
    });
    return c.json(key, 201);
  });
  router.openapi(update, async (c) => {
    const body = c.req.valid('json');
    return c.json(
      await updateApiKey(deps, {
        actor: c.get('principal'),
        input: {
          ...c.req.valid('param'),
          reveal: c.req.valid('query').reveal,
          name: body.name,
          description: body.description,
          secretJwtTemplate: body.secret_jwt_template,
        },
      }),
      200,
    );
  });
  router.openapi(remove, async (c) => {
    const q = c.req.valid('query');
    return c.json(
      await deleteApiKey(deps, {
        actor: c.get('principal'),
        input: {
          ...c.req.valid('param'),
          reveal: q.reveal,
          wasCompromised: q.was_compromised,
          reason: q.reason,
        },
      }),
      200,
    );
  });
}
