import { ofetch } from 'ofetch';
import type { Config } from '../../config/config.js';
import { fail, type Check } from './check.js';

/**
 * A "Coolify URL" that answers as Supaplane: Supaplane deployed from its Coolify
 * template with COOLIFY_URL, which Coolify overwrites in the container with the
 * container's own URL (bootstrap/helpers/parsers.php:2586-2590,2735@379abb25).
 * Supaplane's /auth/v1/health names itself; Coolify has no such route.
 */
export async function selfUrlCheck(config: Config): Promise<Check | undefined> {
  const base = (config.COOLIFY_URL ?? '').replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  if (!base) return undefined;
  const prefixes = [...new Set([config.SUPAPLANE_BASE_PATH, ''])];
  for (const prefix of prefixes) {
    const health = await ofetch<unknown>(`${base}${prefix}/auth/v1/health`, {
      timeout: Math.min(config.COOLIFY_TIMEOUT_MS, 5000),
      retry: 0,
    }).catch(() => undefined);
    if ((health as { version?: unknown } | undefined)?.version === 'supaplane') {
      return fail(
        'Coolify URL is not Supaplane itself',
        `${base} answers as Supaplane, not Coolify`,
        'set SUPAPLANE_COOLIFY_URL to the Coolify dashboard URL (inside a Coolify service, Coolify overwrites COOLIFY_URL with the container’s own URL)',
      );
    }
  }
  return undefined;
}
