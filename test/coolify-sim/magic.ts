// Values Coolify generates for magic `SERVICE_<CMD>_<ID>` variables (shared.php generateEnvValue).
import { createHmac, randomBytes } from 'node:crypto';
import { randomHex, randomString } from './store.js';
import type { SimService } from './types.js';

/** parseCommandFromMagicEnvVariable: the command depends on the number of underscores. */
export function magicCommand(key: string): string | null {
  const underscores = key.split('_').length - 1;
  const afterPrefix = key.slice('SERVICE_'.length);
  if (underscores === 2) return afterPrefix.slice(0, afterPrefix.lastIndexOf('_'));
  if (underscores === 3) {
    if (/^SERVICE_(URL|FQDN)/.test(key)) return afterPrefix.slice(0, afterPrefix.indexOf('_'));
    return afterPrefix.slice(0, afterPrefix.lastIndexOf('_'));
  }
  return null;
}

/** HS256 JWT, synchronous so parsing stays synchronous like the PHP request. */
export function signHs256(payload: Record<string, unknown>, secret: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${enc({ typ: 'JWT', alg: 'HS256' })}.${enc(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function supabaseKey(svc: SimService, role: string): string | null {
  // Signed with the *current* SERVICE_PASSWORD_JWT; null when it does not exist yet.
  const secret = svc.envs.get('SERVICE_PASSWORD_JWT')?.value;
  if (!secret) return null;
  const iat = Math.floor(Date.now() / 60000) * 60;
  return signHs256({ iss: 'supabase', iat, exp: iat + 100 * 365 * 86400, role }, secret);
}

export function magicValue(key: string, svc: SimService): string | null {
  switch (magicCommand(key)) {
    case 'PASSWORD':
    case 'BASE64':
    case 'BASE64_32':
      return randomString(32);
    case 'PASSWORD_64':
    case 'BASE64_64':
      return randomString(64);
    case 'BASE64_128':
      return randomString(128);
    case 'PASSWORDWITHSYMBOLS':
      return randomString(
        32,
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%*+-?@^_~',
      );
    case 'PASSWORDWITHSYMBOLS_64':
      return randomString(
        64,
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%*+-?@^_~',
      );
    case 'REALBASE64':
    case 'REALBASE64_32':
      return randomBytes(32).toString('base64');
    case 'REALBASE64_64':
      return randomBytes(64).toString('base64');
    case 'REALBASE64_128':
      return randomBytes(128).toString('base64');
    case 'HEX_32':
      return randomHex(16);
    case 'HEX_64':
      return randomHex(32);
    case 'HEX_128':
      return randomHex(64);
    case 'USER':
      return randomString(16);
    case 'LOWERCASEUSER':
      return randomString(16).toLowerCase();
    case 'SUPABASEANON':
      return supabaseKey(svc, 'anon');
    case 'SUPABASESERVICE':
      return supabaseKey(svc, 'service_role');
    default:
      return null;
  }
}
