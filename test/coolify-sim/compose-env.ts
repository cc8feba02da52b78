// What a start hands `docker compose up`: the `.env` Coolify writes from the service's env rows,
// and the compose interpolation that can refuse to start (coollabsio/coolify@379abb25).
import YAML from 'yaml';
import type { SimService } from './types.js';

/**
 * Service::saveComposeConfigs (app/Models/Service.php:1608-1635): SERVICE_NAME_<NAME> for each
 * compose service, then every env row as KEY=real_value. Every container gets this file through
 * `env_file: .env` (bootstrap/helpers/parsers.php:2743-2753), so each sees every variable.
 */
export function dotEnv(svc: SimService, composeServices: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of composeServices)
    env[`SERVICE_NAME_${name.replace(/[-.]/g, '_').toUpperCase()}`] = name;
  for (const row of svc.envs.values()) env[row.key] = row.value ?? '';
  return env;
}

const REQUIRED = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:?)\?([^}]*)\}/g;

/**
 * The first `${VAR:?msg}` / `${VAR?msg}` compose cannot satisfy from `.env`, as compose-go's
 * error ("required variable X is missing a value: msg"), or null. An environment entry
 * `VAR: ${VAR:?…}` is not interpolated by compose: serviceParser writes VAR's stored value over
 * it at parse time (parsers.php:2419-2431), so only the other references (other keys, healthchecks,
 * commands, file contents) can fail the start.
 */
export function composeUpProblem(composeRaw: string, env: Record<string, string>): string | null {
  const doc = YAML.parse(composeRaw, { merge: true }) as {
    services?: Record<string, { environment?: unknown } | null>;
  } | null;
  for (const def of Object.values(doc?.services ?? {})) {
    const environment = def?.environment;
    if (!environment || typeof environment !== 'object' || Array.isArray(environment)) continue;
    for (const [key, value] of Object.entries(environment as Record<string, unknown>)) {
      const m = typeof value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)[:?-]/.exec(value) : null;
      if (m?.[1] === key) (environment as Record<string, unknown>)[key] = env[key] ?? '';
    }
  }
  for (const m of YAML.stringify(doc).matchAll(REQUIRED)) {
    const [, name = '', colon, msg = ''] = m;
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (value === undefined || (colon && value === ''))
      return `required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`;
  }
  return null;
}
