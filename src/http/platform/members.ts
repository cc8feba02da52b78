import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import {
  acceptInvitation,
  checkInvitation,
  createInvitations,
  deleteInvitation,
  listInvitations,
} from '../../members/invitations.js';
import { changeMemberRole, listMembers, removeMember } from '../../members/members.js';
import { roleById, roleId } from '../../members/roles.js';
import { invalid } from '../../errors.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { secured } from '../secured.js';
import { InvitationItem, Member, renderInvitation, renderMember } from './identity-views.js';
import {
  bearer,
  errorResponses,
  jsonBody,
  jsonResponse,
  lifecycleErrors,
  OrganizationSlugParam,
} from '../schemas.js';

const tags = ['Organization members'];

const MemberParams = OrganizationSlugParam.extend({
  gotrue_id: z.uuid().openapi({ param: { name: 'gotrue_id', in: 'path' } }),
});
// One parameter name for both, as OpenAPI wants for paths of the same shape: Studio
// withdraws or declines by invitation id, and checks or accepts by the link's token.
const InvitationIdParams = OrganizationSlugParam.extend({
  invitation: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'invitation', in: 'path' }, type: 'integer', description: 'Id' }),
});
const InvitationTokenParams = OrganizationSlugParam.extend({
  invitation: z
    .string()
    .min(16)
    .max(128)
    .openapi({ param: { name: 'invitation', in: 'path' }, description: 'Token from the link' }),
});

/** Project refs; refused below when not empty, but bounded like every list. */
const ScopedProjects = z.array(z.string().max(64)).max(1000).optional();

/** Studio sends `emails` (older builds `email`); project-scoped roles are not supported. */
const InviteBody = z.object({
  emails: z.array(z.string().max(320)).max(50).optional(),
  email: z.string().max(320).optional(),
  role_id: z.number().int(),
  role_scoped_projects: ScopedProjects,
  require_sso: z.boolean().optional(),
});
const RoleBody = z.object({
  role_id: z.number().int(),
  role_scoped_projects: ScopedProjects,
});

const CreatedInvitation = InvitationItem.extend({
  token: z.string().openapi({ description: 'Shown once; Supaplane sends no mail' }),
  join_path: z.string().openapi({ description: "Studio's join page, relative to Studio's URL" }),
});
const InvitationCheck = z
  .object({
    authorized_user: z.boolean(),
    email_match: z.boolean(),
    expired_token: z.boolean(),
    invite_id: z.number().int().optional(),
    organization_name: z.string(),
    sso_mismatch: z.boolean(),
    token_does_not_exist: z.boolean(),
  })
  .openapi('InvitationByTokenResponse');

const r = <M extends 'get' | 'post' | 'patch' | 'delete', P extends z.ZodType>(
  method: M,
  path: string,
  params: P,
  summary: string,
) => ({ method, path, tags, summary, security: bearer, request: { params } });

const routes = {
  members: createRoute({
    ...r('get', '/{slug}/members', OrganizationSlugParam, 'Members and their role ids'),
    responses: { 200: jsonResponse(z.array(Member)), ...errorResponses },
  }),
  changeRole: createRoute({
    ...r('patch', '/{slug}/members/{gotrue_id}', MemberParams, "Change a member's role"),
    request: { params: MemberParams, body: jsonBody(RoleBody) },
    responses: { 200: jsonResponse(Member), ...errorResponses, 409: lifecycleErrors[409] },
  }),
  removeMember: createRoute({
    ...r('delete', '/{slug}/members/{gotrue_id}', MemberParams, 'Remove a member, or leave'),
    responses: { 200: jsonResponse(z.object({})), ...errorResponses, 409: lifecycleErrors[409] },
  }),
  invitations: createRoute({
    ...r('get', '/{slug}/members/invitations', OrganizationSlugParam, 'Pending invitations'),
    responses: {
      200: jsonResponse(z.object({ invitations: z.array(InvitationItem) })),
      ...errorResponses,
    },
  }),
  invite: createRoute({
    ...r('post', '/{slug}/members/invitations', OrganizationSlugParam, 'Invite by email'),
    request: { params: OrganizationSlugParam, body: jsonBody(InviteBody) },
    responses: {
      201: jsonResponse(z.object({ invitations: z.array(CreatedInvitation) })),
      ...errorResponses,
      409: lifecycleErrors[409],
    },
  }),
  withdraw: createRoute({
    ...r(
      'delete',
      '/{slug}/members/invitations/{invitation}',
      InvitationIdParams,
      'Withdraw or decline',
    ),
    responses: { 200: jsonResponse(z.object({})), ...errorResponses },
  }),
  check: createRoute({
    ...r(
      'get',
      '/{slug}/members/invitations/{invitation}',
      InvitationTokenParams,
      'Check a join link',
    ),
    responses: { 200: jsonResponse(InvitationCheck), ...errorResponses },
  }),
  accept: createRoute({
    ...r(
      'post',
      '/{slug}/members/invitations/{invitation}',
      InvitationTokenParams,
      'Accept a join link',
    ),
    responses: {
      200: jsonResponse(z.object({ organization_slug: z.string(), role_id: z.number().int() })),
      ...errorResponses,
      412: lifecycleErrors[412],
    },
  }),
};

/** Mounted at /platform/organizations, beside the organization routes. */
export function platformMemberRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);

  router.openapi(secured(routes.members, auth), async (c) => {
    const members = await listMembers(deps, {
      actor: c.get('principal'),
      input: c.req.valid('param'),
    });
    return c.json(members.map(renderMember), 200);
  });
  router.openapi(secured(routes.changeRole, auth), async (c) => {
    const { slug, gotrue_id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.role_scoped_projects?.length) throw invalid('Project-scoped roles are not supported');
    const member = await changeMemberRole(deps, {
      actor: c.get('principal'),
      input: { slug, userId: gotrue_id, role: roleById(body.role_id) },
    });
    return c.json(renderMember(member), 200);
  });
  router.openapi(secured(routes.removeMember, auth), async (c) => {
    const { slug, gotrue_id } = c.req.valid('param');
    await removeMember(deps, { actor: c.get('principal'), input: { slug, userId: gotrue_id } });
    return c.json({}, 200);
  });

  router.openapi(secured(routes.invitations, auth), async (c) => {
    const rows = await listInvitations(deps, {
      actor: c.get('principal'),
      input: c.req.valid('param'),
    });
    return c.json({ invitations: rows.map(renderInvitation) }, 200);
  });
  router.openapi(secured(routes.invite, auth), async (c) => {
    const { slug } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.role_scoped_projects?.length) throw invalid('Project-scoped roles are not supported');
    const emails = [...(body.emails ?? []), ...(body.email ? [body.email] : [])];
    const created = await createInvitations(deps, {
      actor: c.get('principal'),
      input: { slug, emails, role: roleById(body.role_id) },
    });
    c.header('Cache-Control', 'no-store');
    const invitations = created.map(({ invitation, token }) => ({
      ...renderInvitation(invitation),
      token,
      join_path: `/join?token=${encodeURIComponent(token)}&slug=${encodeURIComponent(slug)}`,
    }));
    return c.json({ invitations }, 201);
  });
  router.openapi(secured(routes.withdraw, auth), async (c) => {
    const { slug, invitation } = c.req.valid('param');
    await deleteInvitation(deps, { actor: c.get('principal'), input: { slug, id: invitation } });
    return c.json({}, 200);
  });
  router.openapi(secured(routes.check, auth), async (c) => {
    const { slug, invitation } = c.req.valid('param');
    const check = await checkInvitation(deps, {
      actor: c.get('principal'),
      input: { slug, token: invitation },
    });
    return c.json(
      {
        authorized_user: true,
        email_match: check.emailMatches,
        expired_token: check.expired,
        ...(check.invitationId !== undefined ? { invite_id: check.invitationId } : {}),
        organization_name: check.organizationName,
        sso_mismatch: false,
        token_does_not_exist: !check.tokenExists,
      },
      200,
    );
  });
  router.openapi(secured(routes.accept, auth), async (c) => {
    const { slug, invitation } = c.req.valid('param');
    const joined = await acceptInvitation(deps, {
      actor: c.get('principal'),
      input: { slug, token: invitation },
    });
    return c.json({ organization_slug: slug, role_id: roleId(joined.role) }, 200);
  });
  return router;
}
