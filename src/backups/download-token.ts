import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Deps } from '../context.js';
import { AppError } from '../errors.js';

/**
 * Studio downloads a backup by opening the `fileUrl` it is given in the browser, which
 * sends no bearer token (backup-download-mutation.ts@2272fe35 posts for the URL), so
 * the URL carries its own short-lived proof. Signed with a key derived from the
 * dashboard key, so it can never pass as an access token (nor the reverse).
 */
const keyOf = (deps: Pick<Deps, 'authKey'>) =>
  createHmac('sha256', deps.authKey).update('supaplane backup download').digest();

const LIFETIME_S = 300;

export async function signDownload(
  deps: Pick<Deps, 'authKey'>,
  ref: string,
  backupId: number,
  userId: string,
) {
  return new SignJWT({ ref, backup: backupId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setAudience('backup-download')
    .setExpirationTime(Math.floor(Date.now() / 1000) + LIFETIME_S)
    .sign(keyOf(deps));
}

export async function verifyDownload(deps: Pick<Deps, 'authKey'>, token: string) {
  try {
    const { payload } = await jwtVerify(token, keyOf(deps), { audience: 'backup-download' });
    return {
      ref: String(payload.ref),
      backupId: Number(payload.backup),
      userId: String(payload.sub),
    };
  } catch {
    throw new AppError(
      'unauthorized',
      'This download link is invalid or has expired: ask for a new one',
    );
  }
}
