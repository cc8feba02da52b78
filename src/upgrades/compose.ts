import YAML from 'yaml';
import { loadTemplate } from '../provisioner/template.js';

const DB_IMAGE = /^(\s+image:\s+)(supabase\/postgres:\S+)\s*$/m;

/** The supabase/postgres image a template pins. */
export async function templatePostgresImage(version: string): Promise<string> {
  const m = DB_IMAGE.exec(await loadTemplate(version));
  if (!m) throw new Error(`template ${version} pins no supabase/postgres image`);
  return m[2]!;
}

/**
 * The compose a project runs: its template, with the database image the project's data
 * directory was made by when that is not the template's own (ADR 0006). A Postgres server
 * refuses a data directory of another major, so the image is never swapped by an upgrade.
 */
export async function composeFor(version: string, postgresImage: string | null): Promise<string> {
  const compose = await loadTemplate(version);
  if (!postgresImage) return compose;
  if (compose.match(new RegExp(DB_IMAGE.source, 'gm'))?.length !== 1) {
    throw new Error(`template ${version} does not pin exactly one supabase/postgres image`);
  }
  return compose.replace(DB_IMAGE, (_all, indent: string) => `${indent}${postgresImage}`);
}

type Mount = { type?: unknown; target?: unknown; content?: unknown };

function inlineFiles(compose: string): Map<string, string> {
  const doc = YAML.parse(compose) as { services?: Record<string, { volumes?: unknown[] }> };
  const files = new Map<string, string>();
  for (const def of Object.values(doc.services ?? {})) {
    for (const v of (def.volumes ?? []) as Mount[]) {
      if (typeof v === 'object' && v?.type === 'bind' && typeof v.content === 'string') {
        files.set(String(v.target), v.content);
      }
    }
  }
  return files;
}

/**
 * Mount paths of inline files both composes have with different content. Coolify keeps a
 * known path's stored content on a compose change (parsers.php:2187-2190@379abb25), so these
 * must be replaced explicitly (Provisioner.replaceCompose). Paths only one side has need
 * nothing: a new path is created with its content, an old one is no longer mounted.
 */
export function changedFiles(from: string, to: string): string[] {
  const before = inlineFiles(from);
  const after = inlineFiles(to);
  return [...after]
    .filter(([path, c]) => before.has(path) && before.get(path) !== c)
    .map(([p]) => p);
}
