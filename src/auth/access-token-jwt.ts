import { jwtVerify, SignJWT, errors } from 'jose';
import { AppError } from '../errors.js';

export const ACCESS_TOKEN_TTL_S = 3600;
const ISSUER = 'supaplane';

export interface DashboardClaims {
  sub: string;
  email: string;
  session_id: string;
  aal: 'aal1' | 'aal2';
}

/** A GoTrue-shaped access token, as Studio's auth-js client expects. */
export async function signAccessToken(
  key: Uint8Array,
  claims: DashboardClaims,
  now = Math.floor(Date.now() / 1000),
) {
  return new SignJWT({
    email: claims.email,
    role: 'authenticated',
    aud: 'authenticated',
    aal: claims.aal,
    // auth-js reads the methods used; a verified second factor adds `totp` (GoTrue's amr).
    amr:
      claims.aal === 'aal2'
        ? [
            { method: 'totp', timestamp: now },
            { method: 'password', timestamp: now },
          ]
        : [{ method: 'password', timestamp: now }],
    session_id: claims.session_id,
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TOKEN_TTL_S)
    .sign(key);
}

/**
 * Tokens this process has verified, per key, until they expire. Studio sends the
 * same token with every request for up to an hour, and an HMAC check through
 * WebCrypto is a thread-pool round trip: the exact token string (signature
 * included) is what was checked, so a hit needs only the expiry compared.
 * Session revocation is checked by the caller on every request, not here.
 */
const MAX_VERIFIED = 10_000;
const verifiedByKey = new WeakMap<
  Uint8Array,
  Map<string, { claims: DashboardClaims; expMs: number }>
>();

/** The claims of `token` if this process verified it with `key` and it has not expired; no I/O. */
export function verifiedClaims(key: Uint8Array, token: string): DashboardClaims | undefined {
  const hit = verifiedByKey.get(key)?.get(token);
  return hit && hit.expMs > Date.now() ? hit.claims : undefined;
}

export async function verifyAccessToken(key: Uint8Array, token: string): Promise<DashboardClaims> {
  let verified = verifiedByKey.get(key);
  if (!verified) verifiedByKey.set(key, (verified = new Map()));
  const hit = verified.get(token);
  if (hit && hit.expMs > Date.now()) return hit.claims;
  if (hit) verified.delete(token);
  const { claims, expMs } = await verifySignature(key, token);
  // Map keeps insertion order: dropping the oldest entry bounds memory.
  if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value!);
  verified.set(token, { claims, expMs });
  return claims;
}

async function verifySignature(
  key: Uint8Array,
  token: string,
): Promise<{ claims: DashboardClaims; expMs: number }> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.session_id !== 'string') {
      throw new AppError('unauthorized', 'Invalid token: missing claims');
    }
    if (typeof payload.exp !== 'number')
      throw new AppError('unauthorized', 'Invalid token: no expiry');
    const claims: DashboardClaims = {
      sub: payload.sub,
      email: String(payload.email ?? ''),
      session_id: payload.session_id,
      aal: payload.aal === 'aal2' ? 'aal2' : 'aal1',
    };
    return { claims, expMs: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const expired = err instanceof errors.JWTExpired;
    throw new AppError('unauthorized', expired ? 'Token has expired' : 'Invalid token');
  }
}
