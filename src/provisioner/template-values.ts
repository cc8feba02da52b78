import type { ProjectSecretValues, TemplateInput } from './template.js';

// Values land in Coolify's .env (read by compose, which would interpolate `$`), inside
// Kong's single-quoted Lua strings and, for the passwords, inside postgres:// URIs.
const SAFE_VALUE = /^[A-Za-z0-9._~+/=-]+$/;
const URI_SAFE_VALUE = /^[A-Za-z0-9._~-]+$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The checked bare origin of `input.publicUrl` (no trailing slash). */
export function checkedOrigin(input: Pick<TemplateInput, 'ref' | 'publicUrl'>): string {
  if (!DNS_LABEL.test(input.ref)) throw new Error(`Project ref is not a DNS label: ${input.ref}`);
  const url = new URL(input.publicUrl);
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`publicUrl must be a bare http(s) origin: ${input.publicUrl}`);
  }
  // The origin, without a trailing slash: GoTrue appends /auth/v1/verify etc. to it.
  return url.origin;
}

/** The named secrets, checked; errors name the key only, never the value. */
export function checkedSecrets(
  secrets: ProjectSecretValues,
  keys: readonly (keyof ProjectSecretValues)[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of keys) {
    const value = secrets[key];
    const pattern = /PASSWORD$/.test(key) ? URI_SAFE_VALUE : SAFE_VALUE;
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw new Error(`Secret ${key} is empty or has characters the template cannot carry`);
    }
    env[key] = value;
  }
  // Realtime uses it as an AES-128 key.
  if (env.REALTIME_DB_ENC_KEY?.length !== 16) {
    throw new Error('Secret REALTIME_DB_ENC_KEY must be exactly 16 characters');
  }
  return env;
}
