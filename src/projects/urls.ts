import type { Config } from '../config/config.js';

/** Where clients reach a project: what Coolify is told and what the API returns. */
export function projectPublicUrl(config: Config, ref: string): string {
  return `https://${ref}.${config.SUPAPLANE_PROJECT_DOMAIN ?? 'localhost'}`;
}

/** Where Supaplane itself reaches a project's gateway, for probes and proxying. */
export function projectGatewayUrl(config: Config, ref: string): string {
  return config.SUPAPLANE_GATEWAY_URL
    ? config.SUPAPLANE_GATEWAY_URL.replaceAll('{ref}', ref).replace(/\/+$/, '')
    : projectPublicUrl(config, ref);
}
