// Which env rows Coolify's serviceParser writes as literal values into the generated
// compose (`services.docker_compose`, stored unencrypted and written to the server as
// docker-compose.yml). For an `environment:` value that starts with `$`:
//   KEY=${KEY}                 the reference stays; compose reads .env (parsers.php:2384-2398)
//   KEY=${VAR}, KEY=${VAR:-d}, KEY=${VAR:?m}, KEY=${KEY:?m}
//                              VAR's stored value is added as `VAR: <value>` (L2405-2496)
// Values that do not start with `$` (e.g. postgres://u:${P}@h) are left alone (L2381-2383).
// All lines cite bootstrap/helpers/parsers.php@379abb25.
import { parse } from 'yaml';

type ComposeDoc = { services?: Record<string, { environment?: unknown }> };

function pairs(environment: unknown): [string, string][] {
  if (Array.isArray(environment))
    return environment.map((line) => {
      const text = String(line);
      const eq = text.indexOf('=');
      return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
    });
  if (environment && typeof environment === 'object')
    return Object.entries(environment).map(([k, v]) => [k, v == null ? '' : String(v)]);
  return [];
}

/** Variable name → the compose services whose generated environment carries its value. */
export function inlinedVariables(compose: string): Map<string, string[]> {
  const doc = parse(compose) as ComposeDoc;
  const out = new Map<string, string[]>();
  for (const [name, svc] of Object.entries(doc.services ?? {})) {
    for (const [key, value] of pairs(svc.environment)) {
      if (!value.startsWith('$') || key.startsWith('SERVICE_')) continue;
      const inner = /^\$\{([^}]*)\}/.exec(value)?.[1] ?? value.slice(1);
      if (inner === key || inner.startsWith('SERVICE_')) continue;
      const variable = /^[A-Za-z_][A-Za-z0-9_]*/.exec(inner)?.[0];
      if (!variable) continue;
      out.set(variable, [...(out.get(variable) ?? []), name]);
    }
  }
  return out;
}
