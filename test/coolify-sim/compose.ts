// docker_compose_raw handling: the base64/UTF-8/YAML/injection checks of create_service and a
// reduced `serviceParser` (sub-resources, magic SERVICE_* variables, ${VAR} references).
import YAML from 'yaml';
import { generateUrl, withoutPort } from './domains.js';
import { SERVER_ERROR, validationFailed, type Reply } from './reply.js';
import { firstOrCreateEnv, newId, newUuid, now, upsertEnv } from './store.js';
import type { SimServer, SimService, SimSubResource } from './types.js';
import { magicValue } from './magic.js';
import { parseFileMounts } from './file-storages.js';

type ComposeService = Record<string, unknown>;

// DATABASE_DOCKER_IMAGES (bootstrap/helpers/constants.php), compared by base image name.
const DB_BASE_NAMES = new Set(
  'mariadb mongodb redis mysql mysql-server postgis postgres postgresql mongo memcached couchdb neo4j influxdb clickhouse-server timescaledb timescaledb-ha pgvector'.split(
    ' ',
  ),
);
const SHELL_META = ['`', '$(', '${', '|', '&', ';', '\n', '\r', '\t', '>', '<'];
// Symfony's parser (Coolify) resolves `<<: *anchor` merge keys; yaml's 1.2 default does not.
const YAML_OPTIONS = { merge: true };
const BAD_BASE64 = { docker_compose_raw: 'The docker_compose_raw should be base64 encoded.' };

/** `base64_encode(base64_decode(s, true)) === s`: canonical, padded, no whitespace. */
export function isCanonicalBase64(s: unknown): s is string {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return false;
  return Buffer.from(s, 'base64').toString('base64') === s;
}

export type Decoded = { ok: true; text: string; dumped: string } | { ok: false; reply: Reply };

export function decodeCompose(raw: unknown): Decoded {
  if (!isCanonicalBase64(raw)) return { ok: false, reply: validationFailed(BAD_BASE64) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(raw, 'base64'));
  } catch {
    return { ok: false, reply: validationFailed(BAD_BASE64) };
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, YAML_OPTIONS);
  } catch {
    // Yaml::parse is not wrapped in try/catch in the controller → Laravel's 500.
    return { ok: false, reply: SERVER_ERROR };
  }
  const problem = injectionProblem(doc);
  if (problem) return { ok: false, reply: validationFailed({ docker_compose_raw: problem }) };
  return { ok: true, text, dumped: YAML.stringify(doc) };
}

/** validateDockerComposeForInjection (parsers.php:27), service-name part. */
function injectionProblem(doc: unknown): string | null {
  const services = (doc as { services?: unknown } | null)?.services;
  if (!doc || typeof doc !== 'object' || !services || typeof services !== 'object')
    return 'Docker Compose file must contain a "services" section';
  for (const name of Object.keys(services)) {
    const bad = SHELL_META.find((c) => name.includes(c));
    if (bad)
      return `Invalid Docker Compose service name: Invalid service name: contains forbidden character '${bad}'. Shell metacharacters are not allowed for security reasons. Service names must not contain shell metacharacters.`;
  }
  return null;
}

export function isDatabaseImage(image: string | null): boolean {
  if (!image) return false;
  const name = image.includes(':') ? image.slice(0, image.indexOf(':')) : image;
  return DB_BASE_NAMES.has(name.slice(name.lastIndexOf('/') + 1));
}

// Re-parsing a large stored compose on every start/restart is wasteful; it only changes on PATCH.
const parsedCache = new Map<string, unknown>();

function composeServices(service: SimService): [string, ComposeService][] {
  const raw = service.docker_compose_raw;
  if (!parsedCache.has(raw)) {
    if (parsedCache.size > 50) parsedCache.clear();
    parsedCache.set(raw, YAML.parse(raw, YAML_OPTIONS));
  }
  const doc = parsedCache.get(raw) as { services?: Record<string, unknown> } | null;
  return Object.entries(doc?.services ?? {}).map(([n, d]) => [n, (d ?? {}) as ComposeService]);
}

function envPairs(def: ComposeService): [string, string][] {
  const str = (v: unknown) => (v === true ? '1' : v === false || v == null ? '' : String(v));
  const build = (def.build as { args?: unknown } | undefined)?.args;
  const pairs: [string, string][] = [];
  for (const source of [def.environment, build]) {
    if (Array.isArray(source)) {
      for (const line of source.map(String)) {
        const eq = line.indexOf('=');
        pairs.push(eq < 0 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)]);
      }
    } else if (source && typeof source === 'object') {
      for (const [k, v] of Object.entries(source)) pairs.push([k, str(v)]);
    }
  }
  return pairs;
}

function subResource(service: SimService, name: string, def: ComposeService): SimSubResource {
  const image = typeof def.image === 'string' ? def.image : null;
  const existing = [...service.applications, ...service.databases].find((s) => s.name === name);
  if (existing) {
    existing.image = image;
    return existing;
  }
  const ts = now();
  const kind = isDatabaseImage(image) ? 'database' : 'application';
  const sub: SimSubResource = {
    id: newId(),
    uuid: newUuid(),
    name,
    kind,
    image,
    fqdn: null,
    status: 'exited',
    // parsers.php:2705 — one-shot and exclude_from_hc containers do not count for status.
    exclude_from_status: def.restart === 'no' || def.exclude_from_hc === true,
    created_at: ts,
    updated_at: ts,
  };
  (kind === 'database' ? service.databases : service.applications).push(sub);
  return sub;
}

/** A `SERVICE_URL_<NAME>[_<PORT>]` / `SERVICE_FQDN_…` key gives its container a domain. */
function declareUrl(
  svc: SimService,
  server: SimServer,
  sub: SimSubResource,
  key: string,
  value: string,
) {
  const rest = key.replace(/^SERVICE_(URL|FQDN)_/, '');
  const m = /^(.*)_(\d+)$/.exec(rest);
  const name = m ? m[1]! : rest;
  const port = m ? m[2]! : null;
  const first = sub.fqdn?.split(',')[0];
  let url =
    sub.kind === 'application' && first
      ? withoutPort(first)
      : generateUrl(server, `${name.toLowerCase().replace(/_/g, '-')}-${svc.uuid}`);
  if (value.startsWith('/') && value !== '/' && !url.endsWith(value)) url += value;
  const host = url.slice(url.indexOf('://') + 3);
  if (sub.kind === 'application' && sub.fqdn === null) sub.fqdn = port ? `${url}:${port}` : url;
  upsertEnv(svc, `SERVICE_FQDN_${name}`, { value: host });
  upsertEnv(svc, `SERVICE_URL_${name}`, { value: url });
  if (port) {
    upsertEnv(svc, `SERVICE_FQDN_${name}_${port}`, { value: `${host}:${port}` });
    upsertEnv(svc, `SERVICE_URL_${name}_${port}`, { value: `${url}:${port}` });
  }
}

/** extractBalancedBraceContent: the inside of a leading `${…}`, honouring nested braces. */
function braceContent(value: string): string | null {
  if (!value.startsWith('${')) return null;
  let depth = 0;
  for (let i = 2; i < value.length; i++) {
    if (value[i] === '{') depth++;
    else if (value[i] === '}' && depth-- === 0) return value.slice(2, i);
  }
  return null;
}

/** splitOnOperatorOutsideNested: first `:-`, `-`, `:?` or `?` outside nested braces. */
function splitOperator(content: string): { name: string; op: string; rest: string } | null {
  let depth = 0;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === '{') depth++;
    else if (content[i] === '}') depth--;
    else if (depth === 0) {
      const op = [':-', '-', ':?', '?'].find((o) => content.startsWith(o, i));
      if (op) return { name: content.slice(0, i), op, rest: content.slice(i + op.length) };
    }
  }
  return null;
}

/**
 * `${VAR}`, `${VAR:-default}`, `${VAR:?message}` … in an environment value (parsers.php:2363+).
 * As in Coolify, the text after `:?` becomes the stored value; the client's upsert replaces it.
 */
function registerReference(svc: SimService, key: string, value: string) {
  const inner = braceContent(value);
  const parsed = inner ?? value.replace(/^\$/, '');
  if (parsed.startsWith('SERVICE_')) {
    upsertEnv(svc, key, { value });
    return;
  }
  if (!value.startsWith('$')) return;
  if (key === parsed) {
    firstOrCreateEnv(svc, key, {});
    return;
  }
  const split = inner === null ? null : splitOperator(inner);
  if (!split) {
    firstOrCreateEnv(svc, parsed, {});
    return;
  }
  firstOrCreateEnv(svc, split.name, { value: split.rest, is_required: split.op.includes('?') });
  // Variables nested in the default are registered too (magic URL/FQDN ones excepted).
  for (const m of split.rest.matchAll(/\$\{/g)) {
    const nested = braceContent(split.rest.slice(m.index));
    if (nested === null) continue;
    const sub = splitOperator(nested);
    const name = sub ? sub.name : nested;
    if (/^SERVICE_(URL|FQDN)_/.test(name)) continue;
    firstOrCreateEnv(svc, name, sub ? { value: sub.rest } : {});
  }
}

/** Idempotent like `$service->parse()`: runs on create, PATCH, start and restart. */
export function parseCompose(svc: SimService, server: SimServer): void {
  const services = composeServices(svc);
  const magicKeys = new Set<string>();
  for (const [name, def] of services) {
    const sub = subResource(svc, name, def);
    parseFileMounts(svc, sub, def);
    const magic: string[] = [];
    for (const [key, value] of envPairs(def)) {
      for (const m of value.matchAll(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g))
        if (m[1]!.startsWith('SERVICE_') && !magic.includes(m[1]!)) magic.push(m[1]!);
      if (/^SERVICE_(URL|FQDN)_/.test(key)) declareUrl(svc, server, sub, key, value);
    }
    for (const key of magic) {
      magicKeys.add(key);
      const pair = /^SERVICE_(URL|FQDN)_(.+)$/.exec(key);
      if (pair) {
        const url = generateUrl(server, `${pair[2]!.toLowerCase().replace(/_/g, '-')}-${svc.uuid}`);
        firstOrCreateEnv(svc, `SERVICE_URL_${pair[2]}`, { value: url });
        firstOrCreateEnv(svc, `SERVICE_FQDN_${pair[2]}`, { value: url.replace(/^\w+:\/\//, '') });
      } else {
        firstOrCreateEnv(svc, key, { value: magicValue(key, svc) });
      }
    }
  }
  for (const [, def] of services)
    for (const [key, value] of envPairs(def))
      if (!magicKeys.has(key) && !value.startsWith('SERVICE_')) registerReference(svc, key, value);
}
