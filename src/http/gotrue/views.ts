import type { FactorView } from '../../mfa/factors.js';
import { z } from '@hono/zod-openapi';
import type { Account } from '../../identity/account.js';
import type { IssuedSession } from '../../identity/sessions.js';

/**
 * GoTrue's JSON shapes, as @supabase/auth-js v2 parses them (`_sessionResponse`,
 * `_userResponse`): Studio's dashboard login runs auth-js against /auth/v1.
 */

const Identity = z.object({
  identity_id: z.string(),
  id: z.string(),
  user_id: z.string(),
  identity_data: z.record(z.string(), z.unknown()),
  provider: z.string(),
  email: z.string(),
  last_sign_in_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const GoTrueUser = z
  .object({
    id: z.string(),
    aud: z.literal('authenticated'),
    role: z.literal('authenticated'),
    email: z.string(),
    email_confirmed_at: z.string(),
    phone: z.string(),
    confirmed_at: z.string(),
    last_sign_in_at: z.string().nullable(),
    app_metadata: z.object({ provider: z.string(), providers: z.array(z.string()) }),
    user_metadata: z.record(z.string(), z.unknown()),
    identities: z.array(Identity),
    factors: z.array(z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
    is_anonymous: z.boolean(),
  })
  .openapi('GoTrueUser');

export const GoTrueSession = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    expires_at: z.number().int().openapi({ description: 'Unix seconds' }),
    refresh_token: z.string(),
    user: GoTrueUser,
  })
  .openapi('GoTrueSession');

/** GoTrue's legacy error body (what auth-js reads without an API-version response header). */
export const GoTrueError = z
  .object({
    code: z.number().int().openapi({ description: 'HTTP status' }),
    error_code: z.string(),
    msg: z.string(),
    message: z.string(),
  })
  .openapi('GoTrueError');

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: GoTrueError } },
});

export const gotrueErrors = {
  400: error('Invalid request or credentials'),
  401: error('Missing, invalid or ended session'),
  422: error('Not acceptable (weak or same password, email taken)'),
  429: error('Too many failed attempts; see Retry-After'),
} as const;

/** The user as GoTrue renders it; `factors` drive auth-js' assurance level (aal1 → aal2). */
export function renderUser(
  { user, lastSignInAt }: Account,
  factors: FactorView[] = [],
): z.infer<typeof GoTrueUser> {
  const created = user.createdAt.toISOString();
  const updated = user.updatedAt.toISOString();
  const lastSignIn = lastSignInAt?.toISOString() ?? null;
  return {
    id: user.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    // No mail means no confirmation step: accounts are created by an admin or by
    // sign-up, and count as confirmed from the start.
    email_confirmed_at: created,
    phone: '',
    confirmed_at: created,
    last_sign_in_at: lastSignIn,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [
      {
        identity_id: user.id,
        id: user.id,
        user_id: user.id,
        identity_data: {
          sub: user.id,
          email: user.email,
          email_verified: true,
          phone_verified: false,
        },
        provider: 'email',
        email: user.email,
        last_sign_in_at: lastSignIn,
        created_at: created,
        updated_at: updated,
      },
    ],
    factors,
    created_at: created,
    updated_at: updated,
    is_anonymous: false,
  };
}

export function renderSession(
  s: IssuedSession,
  factors: FactorView[] = [],
): z.infer<typeof GoTrueSession> {
  return {
    access_token: s.accessToken,
    token_type: 'bearer',
    expires_in: s.expiresIn,
    expires_at: s.expiresAt,
    refresh_token: s.refreshToken,
    user: renderUser({ user: s.user, lastSignInAt: s.lastSignInAt }, factors),
  };
}
