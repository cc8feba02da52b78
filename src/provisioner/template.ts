import { readFile } from 'node:fs/promises';
import { fromRoot } from '../paths.js';

import { templateEnvV1, V1_SECRET_KEYS, type V1Secrets } from './template-v1.js';
import { templateEnvV2, V2_SECRET_KEYS, type V2Secrets } from './template-v2.js';

/** Template for new projects. Existing projects keep the version they were created with. */
export const CURRENT_TEMPLATE_VERSION = 'v2';
export const TEMPLATE_VERSIONS = ['v1', 'v2'] as const;
export type TemplateVersion = (typeof TEMPLATE_VERSIONS)[number];

/** Secrets every version has (the keys, the JWT secret, the user's database password). */
export interface CommonSecrets {
  JWT_SECRET: string;
  SUPABASE_ANON_KEY: string;
  SUPABASE_SERVICE_KEY: string;
  SUPABASE_PUBLISHABLE_KEY: string;
  SUPABASE_SECRET_KEY: string;
  /** The `postgres` role's password: the one the user chose (`db_pass`) or generated. */
  POSTGRES_PASSWORD: string;
  SECRET_KEY_BASE: string;
  PG_META_CRYPTO_KEY: string;
  REALTIME_DB_ENC_KEY: string;
}

/**
 * Per-project secrets, keyed by name. A project stores the set its template version
 * uses (`secretKeysFor`); v1's extra keys are kept for v1 projects only.
 */
export type ProjectSecretValues = CommonSecrets & Partial<V1Secrets> & Partial<V2Secrets>;

/** v1's secret set (kept under its historical name for v1 callers). */
export const PROJECT_SECRET_KEYS = V1_SECRET_KEYS;

const SECRET_KEYS: Record<TemplateVersion, readonly (keyof ProjectSecretValues)[]> = {
  v1: V1_SECRET_KEYS,
  v2: V2_SECRET_KEYS,
};

export function isTemplateVersion(version: string): version is TemplateVersion {
  return (TEMPLATE_VERSIONS as readonly string[]).includes(version);
}

/** The secrets a project of this template version has. */
export function secretKeysFor(version: string): readonly (keyof ProjectSecretValues)[] {
  if (!isTemplateVersion(version)) throw new Error(`Unknown template version: ${version}`);
  return SECRET_KEYS[version];
}

export interface TemplateInput {
  /** The project's template version (`projects.template_version`). */
  version: string;
  ref: string;
  /** `https://<ref>.<domain>`: Kong's public origin. */
  publicUrl: string;
  secrets: ProjectSecretValues;
  /** v2: where and with which token its functions main service fetches code (ADR 0005). */
  functions?: { url: string; token: string };
}

/** Declared (not referenced) by the template: Coolify fills it from the service's domain. */
const COOLIFY_DOMAIN_KEY = 'SERVICE_URL_SUPABASEKONG_8000';

/** Every variable the project's template references, ready for Coolify's env bulk API. */
export function templateEnv(input: TemplateInput): Record<string, string> {
  switch (input.version) {
    case 'v1':
      return templateEnvV1(input);
    case 'v2':
      return templateEnvV2(input);
    default:
      throw new Error(`Unknown template version: ${input.version}`);
  }
}

const cache = new Map<string, Promise<string>>();

/** The compose text of `coolify-templates/supabase/<version>/docker-compose.yaml`. */
export async function loadTemplate(version: string): Promise<string> {
  // The pattern also keeps the version from walking out of the templates folder.
  if (!/^v\d+$/.test(version)) throw new Error(`Invalid template version: ${version}`);
  let text = cache.get(version);
  if (!text) {
    const file = fromRoot('coolify-templates', 'supabase', version, 'docker-compose.yaml');
    text = readFile(file, 'utf8').catch((err: unknown) => {
      cache.delete(version); // cache only successes: a later deploy may add the folder
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw missing ? new Error(`Unknown template version: ${version}`) : err;
    });
    cache.set(version, text);
  }
  return text;
}

/** Names of all `${NAME...}` references, as compose would interpolate them (`$$` escapes). */
export function referencedVariables(compose: string): string[] {
  const names = new Set<string>();
  for (const m of compose.matchAll(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (m[1] && m[1] !== COOLIFY_DOMAIN_KEY) names.add(m[1]);
  }
  return [...names].sort();
}

/** Canonical base64 (standard alphabet, padded, one line), as Coolify's isBase64Encoded wants. */
export function encodeCompose(compose: string): string {
  return Buffer.from(compose, 'utf8').toString('base64');
}
