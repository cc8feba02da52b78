import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../context.js';
import { authenticateDelivery, deliveredBundle, deliveredFunction } from '../functions/delivery.js';
import { newRouter, type AppEnv, type Router } from './env.js';
import { errorResponses, jsonResponse } from './schemas.js';

/**
 * What a project's functions main service calls (docs/adr/0005-edge-functions.md),
 * with the project's delivery token only: no session or access token opens these.
 */
const tags = ['Function delivery (stacks)'];
const security = [{ deliveryToken: [] }];

// Parameters are checked after the token (an unknown slug or version is a 404), so a
// caller without the token learns nothing, not even which paths are well formed.
const SlugParam = z.object({
  ref: z.string().openapi({ param: { name: 'ref', in: 'path' } }),
  slug: z.string().openapi({ param: { name: 'slug', in: 'path' } }),
});

const Delivered = z
  .object({
    slug: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    verify_jwt: z.boolean(),
    entrypoint_path: z.string(),
    import_map_path: z.string().nullable(),
    static_patterns: z.array(z.string()),
  })
  .openapi('DeliveredFunction');

const current = createRoute({
  method: 'get',
  path: '/projects/{ref}/functions/{slug}',
  tags,
  security,
  summary: 'The version to serve (polled; opens no envelope)',
  request: { params: SlugParam },
  responses: { 200: jsonResponse(Delivered), ...errorResponses },
});

const bundle = createRoute({
  method: 'get',
  path: '/projects/{ref}/functions/{slug}/versions/{version}',
  tags,
  security,
  summary: "One version's files; X-Content-Sha256 is the body's sha256",
  request: {
    params: SlugParam.extend({
      version: z.string().openapi({ param: { name: 'version', in: 'path' } }),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ files: z.array(z.object({ name: z.string(), content: z.string() })) }),
    ),
    ...errorResponses,
  },
});

const tokenOf = (c: Context<AppEnv>) => {
  const [scheme, token] = (c.req.header('authorization') ?? '').split(' ');
  return scheme === 'Bearer' ? token : undefined;
};

export function functionsDeliveryRoutes(deps: Deps): Router {
  const router = newRouter();
  router.openapi(current, async (c) => {
    const { ref, slug } = c.req.valid('param');
    const project = await authenticateDelivery(deps, ref, tokenOf(c));
    return c.json(await deliveredFunction(deps, project, slug), 200);
  });
  router.openapi(bundle, async (c) => {
    const { ref, slug, version } = c.req.valid('param');
    const project = await authenticateDelivery(deps, ref, tokenOf(c));
    const { text, sha256 } = await deliveredBundle(deps, project, slug, Number(version));
    return c.body(text, 200, {
      'Content-Type': 'application/json',
      'X-Content-Sha256': sha256,
    }) as never;
  });
  return router;
}
