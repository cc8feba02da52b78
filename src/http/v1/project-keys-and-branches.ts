import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { precondition } from '../../errors.js';
import { requireProject } from '../../members/access.js';
import { legacySigningKey } from '../../settings/signing-keys.js';
import type { Router } from '../env.js';
import { bearer, errorResponses, jsonResponse, ProjectRefParam } from '../schemas.js';

/**
 * JWT signing keys, preview branches and custom hostnames: what a project page
 * reads of them. Supaplane signs with the project's HS256 secret only, offers no
 * branching and no custom hostnames.
 */

const SigningKey = z
  .object({
    id: z.string(),
    algorithm: z.enum(['EdDSA', 'ES256', 'RS256', 'HS256']),
    status: z.enum(['in_use', 'previously_used', 'revoked', 'standby']),
    public_jwk: z.null(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('SigningKeyResponse');

const get = (path: string, summary: string, tags: string[], schema: z.ZodType) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    security: bearer,
    request: { params: ProjectRefParam },
    responses: { 200: jsonResponse(schema), ...errorResponses },
  });

const signingKeys = get(
  '/projects/{ref}/config/auth/signing-keys',
  'JWT signing keys (the HS256 legacy key only)',
  ['Auth'],
  z.object({ keys: z.array(SigningKey) }).openapi('SigningKeysResponse'),
);
const legacyKey = get(
  '/projects/{ref}/config/auth/signing-keys/legacy',
  'The legacy (HS256) signing key',
  ['Auth'],
  SigningKey,
);
const branches = get(
  '/projects/{ref}/branches',
  'Preview branches: none (branching is not offered)',
  ['Environments'],
  z.array(z.object({ id: z.string(), name: z.string() })),
);
const customHostname = createRoute({
  method: 'get',
  path: '/projects/{ref}/custom-hostname',
  tags: ['Domains'],
  summary: 'Custom hostname (not offered)',
  security: bearer,
  request: { params: ProjectRefParam },
  responses: { ...errorResponses },
});

/** Mounted inside /v1 (auth and rate limits are the router's). */
export function v1ProjectKeysAndBranchesRoutes(deps: Deps, router: Router): void {
  router.openapi(signingKeys, async (c) => {
    const { project } = await requireProject(deps, c.get('principal'), c.req.valid('param').ref);
    return c.json({ keys: [legacySigningKey(project)] }, 200);
  });
  router.openapi(legacyKey, async (c) => {
    const { project } = await requireProject(deps, c.get('principal'), c.req.valid('param').ref);
    return c.json(legacySigningKey(project), 200);
  });
  // Studio also turns "Preview branching is not enabled for this project." into an
  // empty list (data/branches/branches-query.ts@057717e9); the list itself serves the CLI too.
  router.openapi(branches, async (c) => {
    await requireProject(deps, c.get('principal'), c.req.valid('param').ref);
    return c.json([], 200);
  });
  router.openapi(customHostname, async (c) => {
    await requireProject(deps, c.get('principal'), c.req.valid('param').ref);
    throw precondition('Custom hostnames are not available in Supaplane');
  });
}
