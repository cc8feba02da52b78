// What a container of a Coolify service sees for each env row. Coolify writes the row into the
// service's .env as `KEY=<real_value>` (Service::saveComposeConfigs, app/Models/Service.php:1585-1644
// @379abb25), where real_value is (app/Models/EnvironmentVariable.php:204-217@379abb25):
//   a valid JSON object or array   → the value raw, whatever the flags;
//   is_literal or is_multiline      → '<value>' (single quotes, nothing escaped);
//   otherwise                       → escapeEnvVariables(): \ CR TAB NUL " ' backslash-escaped
//                                     (bootstrap/helpers/docker.php:1516-1522@379abb25), unquoted.
// Docker Compose then reads that file (env_file: .env): a single-quoted value is taken as is;
// an unquoted one has ${NAME} and $NAME replaced by other values (empty when unset) and
// ` #…` dropped as a comment. Only what Supaplane's values can contain is modelled.
import type { SimService } from './types.js';

function looksLikeJson(value: string): boolean {
  if (!value.startsWith('{') && !value.startsWith('[')) return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

/** The `.env` line's value Coolify writes for a row. */
export function envFileValue(row: {
  value: string | null;
  is_literal: boolean;
  is_multiline: boolean;
}): string {
  const value = (row.value ?? '').trim();
  if (looksLikeJson(value)) return value;
  if (row.is_literal || row.is_multiline) return `'${value}'`;
  return value.replace(/[\\\r\t\0"']/g, (c) =>
    c === '\r' ? '\\r' : c === '\t' ? '\\t' : c === '\0' ? '\\0' : `\\${c}`,
  );
}

/** The value a container gets for each row of the service, after compose read the .env. */
export function containerValues(svc: SimService): Record<string, string> {
  const lines = new Map([...svc.envs.values()].map((e) => [e.key, envFileValue(e)]));
  const out: Record<string, string> = {};
  for (const [key, line] of lines) {
    if (line.length >= 2 && line.startsWith("'") && line.endsWith("'")) {
      out[key] = line.slice(1, -1);
      continue;
    }
    const uncommented = line.replace(/\s+#.*$/, '');
    out[key] = uncommented.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => {
      const ref = lines.get((a ?? b)!) ?? '';
      return ref.startsWith("'") && ref.endsWith("'") ? ref.slice(1, -1) : ref;
    });
  }
  return out;
}
