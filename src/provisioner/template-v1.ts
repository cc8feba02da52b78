import type { TemplateInput } from './template.js';
import { checkedOrigin, checkedSecrets } from './template-values.js';

/** Secrets only v1 has: generated for services v1 never ran (Logflare, Studio's basic auth). */
export interface V1Secrets {
  DASHBOARD_USERNAME: string;
  DASHBOARD_PASSWORD: string;
  VAULT_ENC_KEY: string;
  LOGFLARE_PUBLIC_ACCESS_TOKEN: string;
  LOGFLARE_PRIVATE_ACCESS_TOKEN: string;
}

export const V1_SECRET_KEYS = [
  'JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_KEY',
  'POSTGRES_PASSWORD',
  'DASHBOARD_USERNAME',
  'DASHBOARD_PASSWORD',
  'SECRET_KEY_BASE',
  'VAULT_ENC_KEY',
  'PG_META_CRYPTO_KEY',
  'LOGFLARE_PUBLIC_ACCESS_TOKEN',
  'LOGFLARE_PRIVATE_ACCESS_TOKEN',
  'SUPABASE_PUBLISHABLE_KEY',
  'SUPABASE_SECRET_KEY',
  'REALTIME_DB_ENC_KEY',
] as const;

/** v1's variable contract (frozen: v1 projects keep exactly these rows). */
export function templateEnvV1(input: TemplateInput): Record<string, string> {
  const origin = checkedOrigin(input);
  return {
    ...checkedSecrets(input.secrets, V1_SECRET_KEYS),
    PROJECT_REF: input.ref,
    SUPABASE_PUBLIC_URL: origin,
    API_EXTERNAL_URL: origin,
    SITE_URL: origin,
    JWT_EXPIRY: '3600',
  };
}
