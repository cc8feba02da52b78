import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { requireOrganization } from '../../members/access.js';
import {
  createOrganizationForUser,
  deleteOrganization,
  listOrganizationsForUser,
  renameOrganization,
} from '../../organizations/organizations.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { secured } from '../secured.js';
import {
  OrganizationItem,
  renderOrganization,
  renderRoles,
  renderSubscription,
  Roles,
  Subscription,
} from './identity-views.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  OrganizationSlugParam,
} from '../schemas.js';

const tags = ['Organizations'];

const orgRoute = <M extends 'get' | 'post' | 'patch' | 'delete'>(
  method: M,
  path: string,
  summary: string,
) => ({
  method,
  path,
  tags,
  summary,
  security: bearer,
  request: { params: OrganizationSlugParam },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Organizations you belong to',
  security: bearer,
  responses: { 200: jsonResponse(z.array(OrganizationItem)), ...errorResponses },
});
const create = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: 'Create an organization; you become its owner',
  security: bearer,
  request: {
    body: jsonBody(
      z.object({ name: z.string().max(120) }).openapi({
        description: 'Studio also sends kind, size, tier and payment_method; they are ignored',
      }),
    ),
  },
  responses: { 201: jsonResponse(OrganizationItem), ...errorResponses, 409: lifecycleErrors[409] },
});
const get = createRoute({
  ...orgRoute('get', '/{slug}', 'One organization'),
  responses: { 200: jsonResponse(OrganizationItem), ...errorResponses },
});
const update = createRoute({
  ...orgRoute('patch', '/{slug}', 'Rename or set opt-in tags (administrators and owners)'),
  request: {
    params: OrganizationSlugParam,
    body: jsonBody(
      z
        .object({
          name: z.string().max(120).optional(),
          opt_in_tags: z.array(z.string().max(64)).max(20).optional(),
        })
        .openapi({ description: 'billing_email is accepted and ignored (no billing)' }),
    ),
  },
  responses: { 200: jsonResponse(OrganizationItem), ...errorResponses },
});
const remove = createRoute({
  ...orgRoute('delete', '/{slug}', 'Delete (owners only; the organization must have no projects)'),
  responses: { 200: jsonResponse(OrganizationItem), ...errorResponses, 409: lifecycleErrors[409] },
});
const subscription = createRoute({
  ...orgRoute('get', '/{slug}/billing/subscription', 'A fixed free-plan subscription (no billing)'),
  responses: { 200: jsonResponse(Subscription), ...errorResponses },
});
const roles = createRoute({
  ...orgRoute('get', '/{slug}/roles', 'The four organization roles and their fixed ids'),
  responses: { 200: jsonResponse(Roles), ...errorResponses },
});
const mfa = createRoute({
  ...orgRoute('get', '/{slug}/members/mfa/enforcement', 'MFA is never enforced'),
  responses: { 200: jsonResponse(z.object({ enforced: z.boolean() })), ...errorResponses },
});
const freeLimit = createRoute({
  ...orgRoute(
    'get',
    '/{slug}/members/reached-free-project-limit',
    'Always empty: no project limits',
  ),
  responses: {
    200: jsonResponse(
      z.array(
        z.object({
          free_project_limit: z.number(),
          primary_email: z.string(),
          username: z.string(),
        }),
      ),
    ),
    ...errorResponses,
  },
});

/** Mounted at /platform/organizations; other routers share the prefix, so auth is per route. */
export function platformOrganizationRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);

  router.openapi(secured(list, auth), async (c) => {
    const rows = await listOrganizationsForUser(deps, c.get('principal'));
    return c.json(
      rows.map((r) => renderOrganization(r.organization, r.role)),
      200,
    );
  });
  router.openapi(secured(create, auth), async (c) => {
    const { organization, role } = await createOrganizationForUser(deps, {
      actor: c.get('principal'),
      input: { name: c.req.valid('json').name },
    });
    return c.json(renderOrganization(organization, role), 201);
  });
  router.openapi(secured(get, auth), async (c) => {
    const { organization, role } = await requireOrganization(
      deps,
      c.get('principal'),
      c.req.valid('param').slug,
    );
    return c.json(renderOrganization(organization, role), 200);
  });
  router.openapi(secured(update, auth), async (c) => {
    const { organization, role } = await renameOrganization(deps, {
      actor: c.get('principal'),
      input: {
        slug: c.req.valid('param').slug,
        name: c.req.valid('json').name,
        optInTags: c.req.valid('json').opt_in_tags,
      },
    });
    return c.json(renderOrganization(organization, role), 200);
  });
  router.openapi(secured(remove, auth), async (c) => {
    const organization = await deleteOrganization(deps, {
      actor: c.get('principal'),
      input: { slug: c.req.valid('param').slug },
    });
    return c.json(renderOrganization(organization, 'owner'), 200);
  });

  // Reads every member may make; they only need the membership check.
  const member = (slug: string, principal: Parameters<typeof requireOrganization>[1]) =>
    requireOrganization(deps, principal, slug);
  router.openapi(secured(subscription, auth), async (c) => {
    await member(c.req.valid('param').slug, c.get('principal'));
    return c.json(renderSubscription(), 200);
  });
  router.openapi(secured(roles, auth), async (c) => {
    await member(c.req.valid('param').slug, c.get('principal'));
    return c.json(renderRoles(), 200);
  });
  router.openapi(secured(mfa, auth), async (c) => {
    await member(c.req.valid('param').slug, c.get('principal'));
    return c.json({ enforced: false }, 200);
  });
  router.openapi(secured(freeLimit, auth), async (c) => {
    await member(c.req.valid('param').slug, c.get('principal'));
    return c.json([], 200);
  });
  return router;
}
