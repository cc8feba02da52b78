import { createHash } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { verifiedClaims, verifyAccessToken } from '../auth/access-token-jwt.js';
import type { Principal } from '../auth/principal.js';
import { cachedSession, checkSession } from '../auth/session-cache.js';
import type { Deps } from '../context.js';
import { prepared } from '../db/prepared.js';
import { accessTokens, mfaFactors, sessions, users } from '../db/schema/index.js';
import { AppError } from '../errors.js';

export const PAT_PATTERN = /^sbp_[0-9a-f]{40}$/;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const unauthorized = (message: string) => new AppError('unauthorized', message);

/**
 * The token of an `Authorization: Bearer <token>` value (scheme in any case), if any.
 * A request asks up to three times (rate limiter, scope guard, route) and Studio sends
 * one header for an hour: the last answer is kept, since comparing the header costs
 * less than matching it again.
 */
let lastHeader: string | undefined;
let lastToken: string | undefined;
export const bearerToken = (header: string | undefined): string | undefined => {
  if (header !== lastHeader) {
    lastToken = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    lastHeader = header;
  }
  return lastToken;
};

/**
 * The principal of a dashboard access token whose signature this process verified
 * and whose session it found live within the session cache's window (see
 * session-cache.ts): exactly what authenticateBearer answers for it, without a
 * promise per step. Undefined when either is not at hand (or for an access token):
 * then authenticateBearer must run. Studio sends the same token on every poll.
 */
export function authenticatedNow(
  deps: Pick<Deps, 'authKey'>,
  header: string | undefined,
): Principal | undefined {
  const token = bearerToken(header);
  if (!token || token.startsWith('sbp_')) return undefined;
  const claims = verifiedClaims(deps.authKey, token);
  const session = claims && cachedSession(claims.session_id, claims.sub);
  if (!claims || !session || (session.hasFactor && claims.aal !== 'aal2')) return undefined;
  return {
    userId: claims.sub,
    email: session.email,
    sessionId: claims.session_id,
    via: 'session',
    mfaPending: false,
  };
}

/**
 * Resolves an `Authorization: Bearer` value to a principal: a dashboard access
 * token (JWT, whose session must still be live) or a personal access token. A
 * session at aal1 whose user has a verified factor is refused (403, GoTrue's
 * `insufficient_aal`) unless `allowPendingMfa`: only the GoTrue endpoints that
 * complete the sign-in take it.
 */
export async function authenticateBearer(
  deps: Pick<Deps, 'db' | 'authKey'>,
  header: string | undefined,
  { allowPendingMfa = false }: { allowPendingMfa?: boolean } = {},
): Promise<Principal> {
  const token = bearerToken(header);
  if (!token) throw unauthorized('Missing bearer token in the Authorization header');
  const principal = token.startsWith('sbp_')
    ? await authenticateAccessToken(deps, token)
    : await authenticateSession(deps, token);
  if (principal.mfaPending && !allowPendingMfa) {
    throw new AppError(
      'forbidden',
      'Multi-factor authentication is required: verify your second factor to continue (AAL2)',
      { reason: 'insufficient_aal' },
    );
  }
  return principal;
}

/** A dashboard session not revoked, with its user's email and whether they have a second factor. */
const liveSessionQuery = prepared((db) =>
  db
    .select({
      email: users.email,
      hasFactor: sql<boolean>`exists (select 1 from ${mfaFactors} where ${mfaFactors.userId} = ${users.id} and ${mfaFactors.status} = 'verified')`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.id, sql.placeholder('sessionId')),
        eq(sessions.userId, sql.placeholder('userId')),
        isNull(sessions.revokedAt),
      ),
    )
    .prepare('live_session'),
);

async function authenticateSession(
  deps: Pick<Deps, 'db' | 'authKey'>,
  token: string,
): Promise<Principal> {
  const claims = await verifyAccessToken(deps.authKey, token);
  const pending = (hasFactor: boolean) => hasFactor && claims.aal !== 'aal2';
  const cached = cachedSession(claims.session_id, claims.sub);
  if (cached)
    return {
      userId: claims.sub,
      email: cached.email,
      sessionId: claims.session_id,
      via: 'session',
      mfaPending: pending(cached.hasFactor),
    };
  const row = await checkSession(claims.session_id, claims.sub, async () => {
    const [found] = await liveSessionQuery(deps.db).execute({
      sessionId: claims.session_id,
      userId: claims.sub,
    });
    return found;
  });
  if (!row) throw unauthorized('Session has ended; sign in again');
  return {
    userId: claims.sub,
    email: row.email,
    sessionId: claims.session_id,
    via: 'session',
    mfaPending: pending(row.hasFactor),
  };
}

async function authenticateAccessToken(deps: Pick<Deps, 'db'>, token: string): Promise<Principal> {
  if (!PAT_PATTERN.test(token)) throw unauthorized('Malformed access token');
  const [row] = await deps.db
    .select({
      id: accessTokens.id,
      userId: accessTokens.userId,
      expiresAt: accessTokens.expiresAt,
      lastUsedAt: accessTokens.lastUsedAt,
      email: users.email,
    })
    .from(accessTokens)
    .innerJoin(users, eq(users.id, accessTokens.userId))
    .where(eq(accessTokens.tokenHash, hashToken(token)));
  if (!row) throw unauthorized('Invalid or revoked access token');
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now())
    throw unauthorized('Access token has expired');
  // Last-used is informational: write it at most once a minute per token.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await deps.db
      .update(accessTokens)
      .set({ lastUsedAt: new Date() })
      .where(eq(accessTokens.id, row.id));
  }
  return { userId: row.userId, email: row.email, via: 'access_token' };
}
