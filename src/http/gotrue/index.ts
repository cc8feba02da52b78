import { createRoute, z } from '@hono/zod-openapi';
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { LoginRateLimiter } from '../../auth/login-rate-limit.js';
import type { Deps } from '../../context.js';
import { AppError, invalid, type ErrorCode } from '../../errors.js';
import { describeError, type Logger } from '../../log.js';
import { factorView, listFactors } from '../../mfa/factors.js';
import { getAccount, updateAccount } from '../../identity/account.js';
import {
  refreshSession,
  signInWithPassword,
  signOut,
  type AuthFailure,
} from '../../identity/sessions.js';
import { clientAddress } from '../client-address.js';
import { newRouter, type AppEnv, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { gotrueFactorRoutes } from './factors.js';
import { secured } from '../secured.js';
import { bearer, jsonBody, jsonResponse } from '../schemas.js';
import { GoTrueSession, GoTrueUser, gotrueErrors, renderSession, renderUser } from './views.js';

const tags = ['Dashboard auth (GoTrue-compatible)'];

const TokenBody = z.object({
  email: z.string().max(320).optional(),
  password: z.string().max(1024).optional(),
  refresh_token: z.string().max(512).optional(),
  gotrue_meta_security: z.unknown().optional().openapi({ description: 'Captcha token; ignored' }),
});

const token = createRoute({
  method: 'post',
  path: '/token',
  tags,
  summary: 'Sign in with a password, or exchange a refresh token (rotated on every use)',
  request: {
    query: z.object({ grant_type: z.enum(['password', 'refresh_token']) }),
    body: jsonBody(TokenBody),
  },
  responses: { 200: jsonResponse(GoTrueSession), ...gotrueErrors },
});

const getUser = createRoute({
  method: 'get',
  path: '/user',
  tags,
  summary: 'The signed-in user',
  security: bearer,
  responses: { 200: jsonResponse(GoTrueUser), ...gotrueErrors },
});

const putUser = createRoute({
  method: 'put',
  path: '/user',
  tags,
  summary:
    'Change the email or password, with current_password (a password change ends the other ' +
    'sessions and revokes access tokens; an email change ends every session)',
  security: bearer,
  request: {
    body: jsonBody(
      z.object({
        email: z.string().max(320).optional(),
        password: z.string().max(1024).optional(),
        current_password: z.string().max(1024).optional().openapi({
          description: 'Needed to change the email or password, unless signed in within 10 minutes',
        }),
        data: z.record(z.string(), z.unknown()).optional().openapi({
          description: 'User metadata; accepted but not stored (Supaplane keeps none)',
        }),
        nonce: z.string().max(256).optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(GoTrueUser), ...gotrueErrors },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags,
  summary: 'End sessions: global (default) all of the user’s, local this one, others the rest',
  security: bearer,
  request: { query: z.object({ scope: z.enum(['global', 'local', 'others']).default('global') }) },
  responses: { 204: { description: 'Signed out' }, ...gotrueErrors },
});

/** Mounted at /auth/v1: what Studio's auth-js client (NEXT_PUBLIC_GOTRUE_URL) calls. No apikey needed. */
export function gotrueRoutes(deps: Deps): Router {
  const router = newRouter();
  router.onError(gotrueErrorHandler(deps.log));
  const limiter = new LoginRateLimiter();
  // Changing the email or password needs aal2 once a factor is verified (as in GoTrue);
  // reading the user, signing out and the factor endpoints finish an aal1 sign-in.
  const auth = requireAuth(deps);
  const signingIn = requireAuth(deps, { allowPendingMfa: true });
  const factorsOf = async (userId: string) => (await listFactors(deps, userId)).map(factorView);

  router.get('/health', (c) =>
    c.json({ name: 'GoTrue', version: 'supaplane', description: 'Supaplane dashboard auth' }),
  );
  router.get('/settings', (c) =>
    c.json({
      external: { email: true, phone: false, anonymous_users: false, saml: false },
      disable_signup: !deps.config.SUPAPLANE_ALLOW_SIGNUP,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
    }),
  );

  router.openapi(token, async (c) => {
    const { grant_type } = c.req.valid('query');
    const body = c.req.valid('json');
    c.header('Cache-Control', 'no-store');
    if (grant_type === 'refresh_token') {
      if (!body.refresh_token) throw invalid('refresh_token is required');
      const issued = await refreshSession(deps, { input: { refreshToken: body.refresh_token } });
      return c.json(renderSession(issued, await factorsOf(issued.user.id)), 200);
    }
    if (!body.email || body.password === undefined) {
      throw invalid('email and password are required');
    }
    const issued = await signInWithPassword(deps, {
      input: { email: body.email, password: body.password },
      client: { address: clientAddress(c, deps.config.SUPAPLANE_TRUSTED_PROXIES) },
      limiter,
    });
    return c.json(renderSession(issued, await factorsOf(issued.user.id)), 200);
  });

  router.openapi(secured(getUser, signingIn), async (c) =>
    c.json(
      renderUser(
        await getAccount(deps, c.get('principal')),
        await factorsOf(c.get('principal').userId),
      ),
      200,
    ),
  );
  router.openapi(secured(putUser, auth), async (c) => {
    const body = c.req.valid('json');
    const account = await updateAccount(deps, {
      principal: c.get('principal'),
      input: {
        email: body.email,
        password: body.password,
        currentPassword: body.current_password,
      },
    });
    return c.json(renderUser(account, await factorsOf(account.user.id)), 200);
  });

  gotrueFactorRoutes(deps, router, signingIn, (c) =>
    clientAddress(c, deps.config.SUPAPLANE_TRUSTED_PROXIES),
  );

  router.openapi(secured(logout, signingIn), async (c) => {
    await signOut(deps, { principal: c.get('principal'), input: c.req.valid('query') });
    return c.body(null, 204);
  });
  return router;
}

const REASON_STATUS: Record<AuthFailure | MfaFailure, ContentfulStatusCode> = {
  invalid_credentials: 400,
  refresh_token_not_found: 400,
  refresh_token_already_used: 400,
  session_not_found: 401,
  bad_jwt: 401,
  over_request_rate_limit: 429,
  weak_password: 422,
  same_password: 422,
  email_exists: 422,
  current_password_required: 400,
  current_password_mismatch: 400,
  // GoTrue's MFA errors (internal/api/mfa.go).
  insufficient_aal: 403,
  mfa_verification_failed: 422,
  mfa_challenge_expired: 422,
  mfa_factor_name_conflict: 422,
  too_many_enrolled_mfa_factors: 422,
};

type MfaFailure =
  | 'insufficient_aal'
  | 'mfa_verification_failed'
  | 'mfa_challenge_expired'
  | 'mfa_factor_name_conflict'
  | 'too_many_enrolled_mfa_factors';

const CODE_STATUS: Record<ErrorCode, [ContentfulStatusCode, string]> = {
  validation: [400, 'validation_failed'],
  unauthorized: [401, 'bad_jwt'],
  forbidden: [403, 'not_admin'],
  not_found: [404, 'user_not_found'],
  conflict: [422, 'conflict'],
  precondition: [422, 'validation_failed'],
  rate_limited: [429, 'over_request_rate_limit'],
  upstream_unavailable: [503, 'unexpected_failure'],
  internal: [500, 'unexpected_failure'],
};

/**
 * GoTrue's error body: `{code, error_code, msg}`; auth-js shows `msg`, Studio's own
 * fetchers read `message`, so both are there. Every auth failure is a 401 (GoTrue
 * uses 403 for some), because older auth-js only treats 401 and 404 as "already
 * signed out" when signing out.
 */
function gotrueErrorHandler(log: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    let status: ContentfulStatusCode = 500;
    let errorCode = 'unexpected_failure';
    let message = 'Internal error';
    if (err instanceof AppError) {
      const reason = err.details?.reason as AuthFailure | MfaFailure | undefined;
      [status, errorCode] = CODE_STATUS[err.code];
      if (reason && reason in REASON_STATUS) [status, errorCode] = [REASON_STATUS[reason], reason];
      if (err.code === 'unauthorized' && !reason && !c.req.header('authorization')) {
        errorCode = 'no_authorization';
      }
      message = err.message;
      const retryAfter = err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
    } else if (err instanceof HTTPException) {
      status = err.status as ContentfulStatusCode;
      errorCode = status === 400 ? 'bad_json' : 'validation_failed';
      message = err.message || 'Request failed';
    } else {
      log.error(describeError(err), 'unhandled error in dashboard auth');
    }
    return c.json({ code: status, error_code: errorCode, msg: message, message }, status);
  };
}
