import QRCode from 'qrcode';
import { randomBytes } from 'node:crypto';
import { and, eq, lt, ne } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { open, seal } from '../crypto/envelope.js';
import {
  mfaChallenges,
  mfaFactors,
  refreshTokens,
  sessions,
  users,
  type MfaFactor,
} from '../db/schema/index.js';
import { AppError, invalid, notFound } from '../errors.js';
import { hashToken } from '../identity/authentication.js';
import {
  issue,
  requireSessionId,
  revokeSessions,
  type IssuedSession,
} from '../identity/sessions.js';
import { forgetSessions } from '../auth/session-cache.js';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.js';

/**
 * Dashboard TOTP factors, as GoTrue's /factors endpoints behave
 * (supabase/auth internal/api/mfa.go@0139bdf7): enroll makes an unverified factor
 * and returns its secret once; verifying a challenge with a valid code marks it
 * verified, raises the session to aal2 with new tokens, ends the user's other
 * sessions below aal2 and drops their other unverified factors. Once a user has a
 * verified factor, enrolling another or unenrolling a verified one needs aal2, and
 * every API but these endpoints refuses their aal1 sessions
 * (identity/authentication.ts).
 */
const MAX_FACTORS = 10; // GoTrue MFA_MAX_ENROLLED_FACTORS default
const CHALLENGE_TTL_MS = 300_000; // GoTrue MFA_CHALLENGE_EXPIRY_DURATION default

/** The AAD a TOTP secret is sealed with (src/keys/envelope-tables.ts reads it too). */
export const mfaFactorAad = (factorId: string) => `mfa-factor:${factorId}`;
const aadFor = mfaFactorAad;

/**
 * The QR code of the otpauth URI as bare SVG markup, as GoTrue answers it: auth-js adds the
 * `data:image/svg+xml;utf-8,` prefix itself (GoTrueClient `_enroll`, auth-js 2.109). The
 * `qrcode` package does the encoding (Reed–Solomon, masks, version choice) so we don't.
 */
async function qrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

const mfaError = (
  code: 'validation' | 'forbidden' | 'conflict' | 'unauthorized',
  reason: string,
  message: string,
) => new AppError(code, message, { reason });

export interface FactorView {
  id: string;
  friendly_name: string | undefined;
  factor_type: 'totp';
  status: 'verified' | 'unverified';
  created_at: string;
  updated_at: string;
}

export const factorView = (f: MfaFactor): FactorView => ({
  id: f.id,
  friendly_name: f.friendlyName ?? undefined,
  factor_type: 'totp',
  status: f.status === 'verified' ? 'verified' : 'unverified',
  created_at: f.createdAt.toISOString(),
  updated_at: f.updatedAt.toISOString(),
});

export async function listFactors(deps: Pick<Deps, 'db'>, userId: string): Promise<MfaFactor[]> {
  return deps.db
    .select()
    .from(mfaFactors)
    .where(eq(mfaFactors.userId, userId))
    .orderBy(mfaFactors.createdAt);
}

async function sessionAal(deps: Pick<Deps, 'db'>, sessionId: string): Promise<string> {
  const [row] = await deps.db
    .select({ aal: sessions.aal })
    .from(sessions)
    .where(eq(sessions.id, sessionId));
  return row?.aal ?? 'aal1';
}

export async function enrollTotp(
  deps: Pick<Deps, 'db' | 'keyring'>,
  { principal, input }: { principal: Principal; input: { friendlyName?: string; issuer?: string } },
) {
  const sessionId = requireSessionId(principal);
  const factors = await listFactors(deps, principal.userId);
  const name = input.friendlyName?.trim() || undefined;
  if (name && name.length > 256) throw invalid('friendly_name must be at most 256 characters');
  if (name && factors.some((f) => f.friendlyName === name)) {
    throw mfaError(
      'conflict',
      'mfa_factor_name_conflict',
      `A factor with the friendly name "${name}" for this user already exists`,
    );
  }
  if (factors.length >= MAX_FACTORS) {
    throw mfaError(
      'conflict',
      'too_many_enrolled_mfa_factors',
      'Maximum number of verified factors reached, unenroll to continue',
    );
  }
  if (
    factors.some((f) => f.status === 'verified') &&
    (await sessionAal(deps, sessionId)) !== 'aal2'
  ) {
    throw mfaError('forbidden', 'insufficient_aal', 'AAL2 required to enroll a new factor');
  }
  const secret = newTotpSecret();
  const id = crypto.randomUUID();
  const [factor] = await deps.db
    .insert(mfaFactors)
    .values({
      id,
      userId: principal.userId,
      friendlyName: name ?? null,
      ...seal(deps.keyring, secret, aadFor(id)),
    })
    .returning();
  const issuer = input.issuer?.trim() || 'Supaplane';
  const uri = otpauthUri(secret, issuer, principal.email);
  return {
    id: factor!.id,
    type: 'totp' as const,
    friendly_name: name ?? '',
    totp: { qr_code: await qrSvg(uri), secret, uri },
  };
}

async function ownFactor(deps: Pick<Deps, 'db'>, principal: Principal, factorId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(factorId)) throw notFound('Factor');
  const [factor] = await deps.db
    .select()
    .from(mfaFactors)
    .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.userId, principal.userId)));
  if (!factor) throw notFound('Factor');
  return factor;
}

export async function challengeFactor(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: { factorId: string; address: string } },
) {
  requireSessionId(principal);
  const factor = await ownFactor(deps, principal, input.factorId);
  const [challenge] = await deps.db
    .insert(mfaChallenges)
    .values({ factorId: factor.id, ipAddress: input.address })
    .returning();
  return {
    id: challenge!.id,
    type: 'totp' as const,
    expires_at: Math.floor((challenge!.createdAt.getTime() + CHALLENGE_TTL_MS) / 1000),
  };
}

export async function verifyFactor(
  deps: Pick<Deps, 'db' | 'keyring' | 'authKey'>,
  {
    principal,
    input,
  }: { principal: Principal; input: { factorId: string; challengeId: string; code: string } },
): Promise<IssuedSession> {
  const sessionId = requireSessionId(principal);
  const factor = await ownFactor(deps, principal, input.factorId);
  if (!input.code) throw invalid('Code needs to be non-empty');
  if (!/^[0-9a-f-]{36}$/i.test(input.challengeId)) throw notFound('MFA challenge');
  const [challenge] = await deps.db
    .select()
    .from(mfaChallenges)
    .where(and(eq(mfaChallenges.id, input.challengeId), eq(mfaChallenges.factorId, factor.id)));
  if (!challenge || challenge.verifiedAt) throw notFound('MFA challenge');
  if (challenge.createdAt.getTime() + CHALLENGE_TTL_MS < Date.now()) {
    await deps.db.delete(mfaChallenges).where(eq(mfaChallenges.id, challenge.id));
    throw mfaError(
      'validation',
      'mfa_challenge_expired',
      `MFA challenge ${challenge.id} has expired, verify against another challenge or create a new challenge.`,
    );
  }
  const secret = open(deps.keyring, factor, aadFor(factor.id));
  const step = verifyTotp(secret, input.code, { lastStep: factor.lastStep });
  if (step === undefined) {
    // One try per challenge: guessing needs a new challenge each time.
    await deps.db.delete(mfaChallenges).where(eq(mfaChallenges.id, challenge.id));
    throw mfaError('validation', 'mfa_verification_failed', 'Invalid TOTP code entered');
  }
  const refreshToken = randomBytes(32).toString('base64url');
  const { user, session } = await deps.db.transaction(async (tx) => {
    await tx
      .update(mfaChallenges)
      .set({ verifiedAt: new Date() })
      .where(eq(mfaChallenges.id, challenge.id));
    await tx
      .update(mfaFactors)
      .set({ status: 'verified', lastStep: step })
      .where(eq(mfaFactors.id, factor.id));
    const [session] = await tx
      .update(sessions)
      .set({ aal: 'aal2' })
      .where(eq(sessions.id, sessionId))
      .returning();
    // GoTrue: InvalidateSessionsWithAALLessThan(aal2), DeleteUnverifiedFactors.
    const weaker = await tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(
        and(
          eq(sessions.userId, principal.userId),
          ne(sessions.id, sessionId),
          lt(sessions.aal, 'aal2'),
        ),
      );
    await revokeSessions(
      tx,
      weaker.map((s) => s.id),
    );
    await tx
      .delete(mfaFactors)
      .where(
        and(
          eq(mfaFactors.userId, principal.userId),
          eq(mfaFactors.status, 'unverified'),
          ne(mfaFactors.id, factor.id),
        ),
      );
    await tx.insert(refreshTokens).values({ sessionId, tokenHash: hashToken(refreshToken) });
    const [user] = await tx.select().from(users).where(eq(users.id, principal.userId));
    return { user: user!, session: session! };
  });
  forgetSessions([sessionId]);
  return issue(deps, user, session, refreshToken);
}

export async function unenrollFactor(
  deps: Pick<Deps, 'db'>,
  { principal, input }: { principal: Principal; input: { factorId: string } },
) {
  const sessionId = requireSessionId(principal);
  const factor = await ownFactor(deps, principal, input.factorId);
  if (factor.status === 'verified' && (await sessionAal(deps, sessionId)) !== 'aal2') {
    throw mfaError('validation', 'insufficient_aal', 'AAL2 required to unenroll verified factor');
  }
  await deps.db.transaction(async (tx) => {
    await tx.delete(mfaFactors).where(eq(mfaFactors.id, factor.id));
    const left = await tx
      .select({ id: mfaFactors.id })
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, principal.userId), eq(mfaFactors.status, 'verified')));
    // GoTrue: DowngradeSessionsToAAL1 once nothing verified is left.
    if (left.length === 0) {
      await tx.update(sessions).set({ aal: 'aal1' }).where(eq(sessions.userId, principal.userId));
    }
  });
  return { id: factor.id };
}
