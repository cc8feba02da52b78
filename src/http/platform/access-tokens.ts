import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  createAccessToken,
  listAccessTokens,
  revokeAccessToken,
} from '../../identity/access-tokens.js';
import { newRouter } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { bearer, errorResponses, jsonBody, jsonResponse, text } from '../schemas.js';

/** Studio's account page: personal access tokens (`sbp_…`) for the CLI and /v1. */
const AccessToken = z
  .object({
    id: z.number().int(),
    name: z.string(),
    token_alias: z.string(),
    scope: z.string().nullable(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
  })
  .openapi('AccessToken');

const NewAccessToken = AccessToken.extend({
  token: z.string().openapi({ description: 'The token itself; shown only in this response' }),
}).openapi('NewAccessToken');

const CreateAccessTokenBody = z
  .object({
    name: text().min(1).max(256),
    scope: z.enum(['V0']).nullish(),
    expires_at: z.iso.datetime({ offset: true }).nullish(),
  })
  .openapi('CreateAccessTokenBody');

const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
});

const tags = ['Access tokens'];

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'List your personal access tokens',
  security: bearer,
  responses: { 200: jsonResponse(z.array(AccessToken)), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create a personal access token (shown once)',
  security: bearer,
  request: { body: jsonBody(CreateAccessTokenBody) },
  responses: { 201: jsonResponse(NewAccessToken), ...errorResponses },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  summary: 'Revoke a personal access token',
  security: bearer,
  request: { params: IdParam },
  responses: { 200: jsonResponse(AccessToken), ...errorResponses },
});

/** Mounted at /platform/profile/access-tokens. */
export function platformAccessTokenRoutes(deps: Deps) {
  const router = newRouter();
  router.use('*', requireAuth(deps));
  router.openapi(list, async (c) =>
    c.json(await listAccessTokens(deps, { actor: c.get('principal') }), 200),
  );
  router.openapi(create, async (c) => {
    const body = c.req.valid('json');
    const created = await createAccessToken(deps, {
      actor: c.get('principal'),
      input: {
        name: body.name,
        scope: body.scope ?? null,
        expiresAt: body.expires_at ? new Date(body.expires_at) : null,
      },
    });
    c.header('Cache-Control', 'no-store');
    return c.json(created, 201);
  });
  router.openapi(revoke, async (c) =>
    c.json(
      await revokeAccessToken(deps, {
        actor: c.get('principal'),
        input: { id: c.req.valid('param').id },
      }),
      200,
    ),
  );
  return router;
}
