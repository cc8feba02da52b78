import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../../context.js';
import { listPermissions } from './permissions.js';
import { createProfile, getProfile, updateProfile } from '../../identity/profile.js';
import { requestPasswordReset, signUp } from '../../identity/signup.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { Profile, renderProfile } from './identity-views.js';
import { secured } from '../secured.js';
import { bearer, errorResponses, jsonBody, jsonResponse, lifecycleErrors } from '../schemas.js';

const tags = ['Dashboard profile'];

const Permission = z
  .object({
    organization_slug: z.string(),
    organization_id: z.number().int(),
    actions: z.array(z.string()),
    resources: z.array(z.string()),
    condition: z.record(z.string(), z.unknown()).nullable(),
    restrictive: z.boolean(),
    project_refs: z.null(),
    project_ids: z.null(),
  })
  .openapi('AccessControlPermission');

const ProfileChanges = z.object({
  username: z.string().max(64).nullish(),
  first_name: z.string().max(256).nullish(),
  last_name: z.string().max(256).nullish(),
});

const SignUpBody = z.object({
  email: z.string().max(320),
  password: z.string().max(1024),
  hcaptchaToken: z.string().nullish(),
  redirectTo: z.string().nullish(),
});

const ResetBody = z.object({
  email: z.string().max(320),
  hcaptchaToken: z.string().nullish(),
  redirectTo: z.string().nullish(),
});

const Empty = z.object({}).openapi('Empty');

const route = <M extends 'get' | 'post' | 'patch'>(method: M, path: string, summary: string) =>
  ({ method, path, tags, summary, security: bearer }) as const;

const getProfileRoute = createRoute({
  ...route(
    'get',
    '/profile',
    'Your profile; 404 "User\'s profile not found" before the first POST',
  ),
  responses: { 200: jsonResponse(Profile), ...errorResponses },
});
const createProfileRoute = createRoute({
  ...route('post', '/profile', 'Create your profile (Studio does this on first sign-in)'),
  responses: { 201: jsonResponse(Profile), ...errorResponses, 409: lifecycleErrors[409] },
});
const patchProfileRoute = createRoute({
  ...route('patch', '/profile', 'Change your username or names'),
  request: { body: jsonBody(ProfileChanges) },
  responses: { 200: jsonResponse(Profile), ...errorResponses },
});
const permissionsRoute = createRoute({
  ...route('get', '/profile/permissions', 'Your grants, one set per organization, by role'),
  responses: { 200: jsonResponse(z.array(Permission)), ...errorResponses },
});
const signUpRoute = createRoute({
  method: 'post',
  path: '/signup',
  tags,
  summary: 'Create a dashboard account (only when SUPAPLANE_ALLOW_SIGNUP=true)',
  request: { body: jsonBody(SignUpBody) },
  responses: { 200: jsonResponse(Empty), ...errorResponses },
});
const resetRoute = createRoute({
  method: 'post',
  path: '/reset-password',
  tags,
  summary: 'Ask for a password reset (logged for the operator; Supaplane sends no mail)',
  request: { body: jsonBody(ResetBody) },
  responses: { 200: jsonResponse(Empty), ...errorResponses },
});

/** Mounted at /platform. Sign-up and password reset are the only unauthenticated routes. */
export function platformIdentityRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);

  router.openapi(secured(getProfileRoute, auth), async (c) =>
    c.json(renderProfile(await getProfile(deps, c.get('principal'))), 200),
  );
  router.openapi(secured(createProfileRoute, auth), async (c) =>
    c.json(renderProfile(await createProfile(deps, c.get('principal'))), 201),
  );
  router.openapi(secured(patchProfileRoute, auth), async (c) => {
    const body = c.req.valid('json');
    const view = await updateProfile(deps, {
      principal: c.get('principal'),
      input: {
        username: body.username ?? undefined,
        firstName: body.first_name ?? undefined,
        lastName: body.last_name ?? undefined,
      },
    });
    return c.json(renderProfile(view), 200);
  });
  router.openapi(secured(permissionsRoute, auth), async (c) =>
    c.json(await listPermissions(deps, c.get('principal')), 200),
  );

  router.openapi(signUpRoute, async (c) => {
    const { email, password } = c.req.valid('json');
    await signUp(deps, { input: { email, password } });
    return c.json({}, 200);
  });
  router.openapi(resetRoute, async (c) => {
    await requestPasswordReset(deps, { input: { email: c.req.valid('json').email } });
    return c.json({}, 200);
  });
  return router;
}
