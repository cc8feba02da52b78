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
    amr: [{ method: 'password', timestamp: now }],
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

export async function verifyAccessToken(key: Uint8Array, token: string): Promise<DashboardClaims> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.session_id !== 'string') {
      throw new AppError('unauthorized', 'Invalid token: missing claims');
    }
    return {
      sub: payload.sub,
      email: String(payload.email ?? ''),
      session_id: payload.session_id,
      aal: payload.aal === 'aal2' ? 'aal2' : 'aal1',
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const expired = err instanceof errors.JWTExpired;
    throw new AppError('unauthorized', expired ? 'Token has expired' : 'Invalid token');
  }
}
