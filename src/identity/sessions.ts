import { randomBytes } from 'node:crypto';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { ACCESS_TOKEN_TTL_S, signAccessToken } from '../auth/access-token-jwt.js';
import type { LoginRateLimiter } from '../auth/login-rate-limit.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import type { Tx } from '../db/client.js';
import { refreshTokens, sessions, users, type User } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { hashToken } from './authentication.js';
import { normalizeEmail } from './users.js';
import { forgetSessions } from '../auth/session-cache.js';

/**
 * Why a dashboard-auth request failed, in GoTrue's vocabulary, so the GoTrue
 * transport can answer with the `error_code` auth-js expects. Carried in
 * `AppError.details.reason`.
 */
export type AuthFailure =
  | 'invalid_credentials'
  | 'refresh_token_not_found'
  | 'refresh_token_already_used'
  | 'session_not_found'
  | 'over_request_rate_limit'
  | 'weak_password'
  | 'same_password'
  | 'email_exists'
  | 'current_password_required'
  | 'current_password_mismatch'
  | 'bad_jwt';

export const authFailure = (
  code: 'validation' | 'unauthorized' | 'rate_limited' | 'conflict',
  reason: AuthFailure,
  message: string,
  extra: Record<string, unknown> = {},
) => new AppError(code, message, { reason, ...extra });

/** What a sign-in or refresh hands back; the transport renders it as a GoTrue session. */
export interface IssuedSession {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  /** Unix seconds. */
  expiresAt: number;
  user: User;
  lastSignInAt: Date;
}

const newRefreshToken = () => randomBytes(32).toString('base64url');

// Unknown emails still cost one scrypt, so response time does not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomBytes(16).toString('hex')));

export async function signInWithPassword(
  deps: Pick<Deps, 'db' | 'authKey' | 'log'>,
  args: {
    input: { email: string; password: string };
    client: { address: string };
    limiter: LoginRateLimiter;
  },
): Promise<IssuedSession> {
  const attempt = { email: normalizeEmail(args.input.email), address: args.client.address };
  const wait = args.limiter.retryAfterSeconds(attempt);
  if (wait > 0) {
    throw authFailure(
      'rate_limited',
      'over_request_rate_limit',
      `Too many failed sign-in attempts. Try again in ${wait} seconds.`,
      { retryAfterSeconds: wait },
    );
  }
  args.limiter.recordAttempt(attempt);
  const [user] = await deps.db.select().from(users).where(eq(users.email, attempt.email));
  const ok = await verifyPassword(args.input.password, user?.passwordHash ?? (await decoy()));
  if (!user || !ok) {
    deps.log.info({ address: attempt.address }, 'dashboard sign-in failed');
    throw authFailure('validation', 'invalid_credentials', 'Invalid login credentials');
  }
  args.limiter.recordSuccess(attempt);
  const issued = await deps.db.transaction(async (tx) => {
    const [session] = await tx.insert(sessions).values({ userId: user.id }).returning();
    const refreshToken = newRefreshToken();
    await tx
      .insert(refreshTokens)
      .values({ sessionId: session!.id, tokenHash: hashToken(refreshToken) });
    return { session: session!, refreshToken };
  });
  return issue(deps, user, issued.session, issued.refreshToken);
}

type RefreshOutcome =
  | { kind: 'rotated'; user: User; session: typeof sessions.$inferSelect; refreshToken: string }
  | { kind: 'unknown' | 'ended' | 'reused'; sessionId?: string };

/**
 * Exchanges a refresh token for a new access token and a new refresh token. The
 * old one is revoked; presenting a revoked one again means it was copied, so the
 * whole session ends (RFC 6819 §5.2.2.3).
 */
export async function refreshSession(
  deps: Pick<Deps, 'db' | 'authKey' | 'log' | 'config'>,
  { input }: { input: { refreshToken: string } },
): Promise<IssuedSession> {
  const now = Date.now();
  const maxAgeMs = deps.config.SUPAPLANE_SESSION_MAX_AGE_HOURS * 3600_000;
  const reuseMs = deps.config.SUPAPLANE_REFRESH_TOKEN_REUSE_INTERVAL_S * 1000;
  const outcome = await deps.db.transaction(async (tx): Promise<RefreshOutcome> => {
    const [row] = await tx
      .select({ token: refreshTokens, session: sessions, user: users })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(refreshTokens.tokenHash, hashToken(input.refreshToken)))
      .for('update', { of: refreshTokens });
    if (!row) return { kind: 'unknown' };
    if (row.session.revokedAt) return { kind: 'ended' };
    // An absolute lifetime: refreshing forever would make a stolen session permanent.
    if (row.session.createdAt.getTime() + maxAgeMs <= now) {
      await revokeSessions(tx, [row.session.id]);
      return { kind: 'ended' };
    }
    if (row.token.revokedAt) {
      // Parallel refreshes (several tabs) present the same token: within the reuse
      // interval each gets a fresh token, as GoTrue does
      // (internal/tokens/service.go:387-400@bc32168e, reuseUntil = revoked at + interval).
      // Later, it was copied: the whole session ends.
      if (now - row.token.revokedAt.getTime() >= reuseMs) {
        await revokeSessions(tx, [row.session.id]);
        return { kind: 'reused', sessionId: row.session.id };
      }
    } else {
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date(now) })
        .where(eq(refreshTokens.id, row.token.id));
    }
    const refreshToken = newRefreshToken();
    await tx
      .insert(refreshTokens)
      .values({ sessionId: row.session.id, tokenHash: hashToken(refreshToken) });
    return { kind: 'rotated', user: row.user, session: row.session, refreshToken };
  });
  switch (outcome.kind) {
    case 'rotated':
      return issue(deps, outcome.user, outcome.session, outcome.refreshToken);
    case 'reused':
      deps.log.warn(
        { sessionId: outcome.sessionId },
        'a rotated refresh token was presented again: the session has been revoked',
      );
      throw authFailure(
        'validation',
        'refresh_token_already_used',
        'Invalid Refresh Token: Already Used',
      );
    case 'ended':
      throw authFailure(
        'validation',
        'refresh_token_not_found',
        'Invalid Refresh Token: Session Expired',
      );
    default:
      throw authFailure(
        'validation',
        'refresh_token_not_found',
        'Invalid Refresh Token: Refresh Token Not Found',
      );
  }
}

/**
 * Ends dashboard sessions as GoTrue's `POST /logout?scope=` does: `global` (auth-js's
 * default) every session of the user, `local` the caller's, `others` all but the caller's.
 */
export async function signOut(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: { scope: 'global' | 'local' | 'others' } },
): Promise<void> {
  const current = requireSessionId(principal);
  const live = and(eq(sessions.userId, principal.userId), isNull(sessions.revokedAt));
  await deps.db.transaction(async (tx) => {
    const where =
      input.scope === 'local'
        ? eq(sessions.id, current)
        : input.scope === 'others'
          ? and(live, ne(sessions.id, current))
          : live;
    const ended = await tx.select({ id: sessions.id }).from(sessions).where(where);
    await revokeSessions(
      tx,
      ended.map((s) => s.id),
    );
  });
}

/** Ends sessions and every refresh token they hold, in the caller's transaction. */
export async function revokeSessions(tx: Tx, sessionIds: string[]): Promise<void> {
  if (sessionIds.length === 0) return;
  forgetSessions(sessionIds);
  const now = new Date();
  await tx
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(inArray(sessions.id, sessionIds), isNull(sessions.revokedAt)));
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(inArray(refreshTokens.sessionId, sessionIds), isNull(refreshTokens.revokedAt)));
}

/** GoTrue endpoints act on a dashboard session; a personal access token has none. */
export function requireSessionId(principal: Principal): string {
  if (principal.via !== 'session' || !principal.sessionId) {
    throw authFailure(
      'unauthorized',
      'bad_jwt',
      'This endpoint requires a dashboard session token, not a personal access token',
    );
  }
  return principal.sessionId;
}

/** Signs an access token for the session (its `aal` as stored) and hands back the pair. */
export async function issue(
  deps: Pick<Deps, 'authKey'>,
  user: User,
  session: typeof sessions.$inferSelect,
  refreshToken: string,
): Promise<IssuedSession> {
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signAccessToken(
    deps.authKey,
    {
      sub: user.id,
      email: user.email,
      session_id: session.id,
      aal: session.aal === 'aal2' ? 'aal2' : 'aal1',
    },
    now,
  );
  return {
    accessToken,
    refreshToken,
    expiresIn: ACCESS_TOKEN_TTL_S,
    expiresAt: now + ACCESS_TOKEN_TTL_S,
    user,
    lastSignInAt: session.createdAt,
  };
}
