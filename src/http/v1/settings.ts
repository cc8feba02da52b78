import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { getAuthConfig, updateAuthConfig } from '../../settings/auth-config.js';
import {
  getPostgrestConfig,
  getStorageConfig,
  updatePostgrestConfig,
  updateStorageConfig,
} from '../../settings/data-api-and-storage.js';
import type { Router } from '../env.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  ProjectRefParam,
} from '../schemas.js';

/**
 * A project's auth, Data API and storage settings, as the Management API spells
 * them (`/config/auth` with lower-case GoTrue names, `/postgrest`, `/config/storage`).
 * A PATCH is validated, stored and applied by restarting the stack (src/settings/).
 */
const Settings = z.record(z.string(), z.unknown());

const getRoute = (path: string, tags: string[], summary: string) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    security: bearer,
    request: { params: ProjectRefParam },
    responses: { 200: jsonResponse(Settings), ...errorResponses },
  });
/**
 * UpdateStorageConfigBody is the one settings body the contract closes
 * (`additionalProperties: false` in openapi-v1.json); unknown fields there are a 400.
 */
const StorageSettings = z
  .object({
    fileSizeLimit: z.number().int().min(0).max(536_870_912_000).optional(),
    features: z.record(z.string(), z.unknown()).optional(),
    external: z.object({ upstreamTarget: z.enum(['main', 'canary']) }).optional(),
  })
  .strict();

const patchRoute = (
  path: string,
  tags: string[],
  summary: string,
  body: z.ZodType<Record<string, unknown>> = Settings,
) =>
  createRoute({
    method: 'patch',
    path,
    tags,
    summary,
    security: bearer,
    request: { params: ProjectRefParam, body: jsonBody(body) },
    responses: { 200: jsonResponse(Settings), ...lifecycleErrors },
  });

const lower = (config: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k.toLowerCase(), v]));

export function v1SettingsRoutes(deps: Deps, router: Router): void {
  router.openapi(getRoute('/projects/{ref}/config/auth', ['Auth'], 'Auth settings'), async (c) =>
    c.json(
      lower(
        await getAuthConfig(deps, { principal: c.get('principal'), ref: c.req.valid('param').ref }),
      ),
      200,
    ),
  );
  router.openapi(
    patchRoute('/projects/{ref}/config/auth', ['Auth'], 'Change auth settings'),
    async (c) =>
      c.json(
        lower(
          await updateAuthConfig(deps, {
            principal: c.get('principal'),
            ref: c.req.valid('param').ref,
            body: c.req.valid('json'),
            v1: true,
          }),
        ),
        200,
      ),
  );
  router.openapi(
    getRoute('/projects/{ref}/postgrest', ['Rest'], 'Data API settings'),
    async (c) => {
      const { jwt_secret: _secret, ...view } = await getPostgrestConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
      });
      return c.json(view, 200);
    },
  );
  router.openapi(
    patchRoute('/projects/{ref}/postgrest', ['Rest'], 'Change Data API settings'),
    async (c) => {
      const { jwt_secret: _secret, ...view } = await updatePostgrestConfig(deps, {
        principal: c.get('principal'),
        ref: c.req.valid('param').ref,
        body: c.req.valid('json'),
      });
      return c.json(view, 200);
    },
  );
  router.openapi(
    getRoute('/projects/{ref}/config/storage', ['Storage'], 'Storage settings'),
    async (c) =>
      c.json(
        await getStorageConfig(deps, {
          principal: c.get('principal'),
          ref: c.req.valid('param').ref,
        }),
        200,
      ),
  );
  router.openapi(
    patchRoute(
      '/projects/{ref}/config/storage',
      ['Storage'],
      'Change storage settings',
      StorageSettings,
    ),
    async (c) =>
      c.json(
        await updateStorageConfig(deps, {
          principal: c.get('principal'),
          ref: c.req.valid('param').ref,
          body: c.req.valid('json'),
        }),
        200,
      ),
  );
}
