// Loads Coolify's openapi.yaml at runtime (never copied into the repo) and turns it into a route
// table plus ajv body validators. Where the PHP code disagrees with the spec (API-NOTES "Spec vs
// code discrepancies"), BODY_OVERRIDES patches the schema so the simulator follows the code.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import Ajv2020Module from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';

const SPEC_URL = new URL('../../../shared/reference/coolify/openapi.yaml', import.meta.url);
const COMPONENTS_ID = 'coolify-openapi';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

type Json = Record<string, unknown>;
interface OpenApiParam {
  name: string;
  in: string;
  schema?: Json;
}
interface OpenApiOp {
  parameters?: OpenApiParam[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOp>>;
  components: Json;
}

export interface QueryParam {
  name: string;
  type: string;
}

export interface SpecRoute {
  method: string;
  template: string;
  segments: string[];
  query: QueryParam[];
  bodySchema: Json | null;
}

export interface RouteMatch {
  route: SpecRoute;
  params: Record<string, string>;
}

const ENV_ITEM_PROPS: Json = {
  key: { type: 'string', maxLength: 255, pattern: '^[A-Za-z_][A-Za-z0-9_.]*$' },
  value: { type: ['string', 'null'] },
  is_literal: { type: 'boolean' },
  is_multiline: { type: 'boolean' },
  is_shown_once: { type: 'boolean' },
  comment: { type: ['string', 'null'], maxLength: 256 },
};

/** Env item rules of ServicesController (create_env, update_env_by_uuid, create_bulk_envs). */
export const ENV_ITEM_SCHEMA: Json = {
  type: 'object',
  required: ['key'],
  properties: ENV_ITEM_PROPS,
};

const URL_ITEMS: Json = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string' }, url: { type: ['string', 'null'] } },
};

// Laravel rule sets from the controllers, expressed as patches on the spec's schemas.
const BODY_OVERRIDES: Record<string, (s: Json) => Json> = {
  'POST /services': (s) => {
    const props = { ...(s.properties as Json) };
    for (const k of ['environment_name', 'environment_uuid', 'destination_uuid'])
      props[k] = nullable(props[k] as Json);
    props.urls = { type: ['array', 'null'], items: URL_ITEMS };
    props.tags = { type: ['array', 'null'], items: { type: 'string', minLength: 2 } };
    return { ...s, properties: props, required: ['project_uuid', 'server_uuid'] };
  },
  'PATCH /services/{uuid}': (s) => {
    const props = { ...(s.properties as Json) };
    props.name = { type: 'string', maxLength: 255 };
    props.description = { type: ['string', 'null'] };
    props.docker_compose_raw = { type: ['string', 'null'] };
    props.urls = { type: ['array', 'null'], items: URL_ITEMS };
    return { ...s, properties: props };
  },
  'POST /services/{uuid}/envs': () => ENV_ITEM_SCHEMA,
  'PATCH /services/{uuid}/envs': () => ENV_ITEM_SCHEMA,
  // Missing `data` is a 400 in the handler; items are validated one by one there.
  'PATCH /services/{uuid}/envs/bulk': () => ({
    type: 'object',
    properties: { data: { type: ['array', 'null'] } },
  }),
  'POST /projects': () => ({
    type: 'object',
    required: ['name'],
    properties: {
      name: {
        type: 'string',
        minLength: 3,
        maxLength: 255,
        pattern: '^[\\p{L}\\p{M}\\p{N}\\s\\-_.@/&()#,:+]+$',
      },
      description: {
        type: ['string', 'null'],
        maxLength: 255,
        pattern: '^[\\p{L}\\p{M}\\p{N}\\s\\-_.,!?()\'"+=*@/&]+$',
      },
    },
  }),
};

/** Routes registered in routes/api.php that the spec does not list. */
const EXTRA_ROUTES: [string, string][] = [
  ['GET', '/services/{uuid}/start'],
  ['GET', '/services/{uuid}/stop'],
  ['GET', '/services/{uuid}/restart'],
];

function nullable(schema: Json | undefined): Json {
  if (!schema) return { type: ['string', 'null'] };
  const t = schema.type;
  return typeof t === 'string' ? { ...schema, type: [t, 'null'] } : schema;
}

/** OpenAPI 3.0 leftovers (`nullable`) and local `$ref`s made valid for ajv's 2020 dialect. */
function normalize(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalize);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = COMPONENTS_ID + v;
    else out[k] = normalize(v);
  }
  const src = node as Json;
  if (src.nullable === true && typeof src.type === 'string') out.type = [src.type, 'null'];
  return out;
}

export class CoolifySpec {
  readonly routes: SpecRoute[] = [];
  private readonly ajv = new Ajv2020Module.default({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
  });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDoc) {
    this.ajv.addSchema({ $id: COMPONENTS_ID, components: normalize(doc.components) });
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = ops[method];
        if (op) this.routes.push(this.toRoute(method.toUpperCase(), template, op));
      }
    }
    for (const [method, template] of EXTRA_ROUTES)
      this.routes.push(this.toRoute(method, template, {}));
  }

  private toRoute(method: string, template: string, op: OpenApiOp): SpecRoute {
    const query = (op.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => ({ name: p.name, type: String(p.schema?.type ?? 'string') }));
    let bodySchema = (op.requestBody?.content?.['application/json']?.schema as Json) ?? null;
    const override = BODY_OVERRIDES[`${method} ${template}`];
    if (override) bodySchema = override(bodySchema ?? {});
    return { method, template, segments: template.split('/').slice(1), query, bodySchema };
  }

  /**
   * Laravel matches in registration order; literal segments before parameters reproduces that
   * for every overlap we serve (e.g. `/projects/{uuid}/environments` vs `/projects/{uuid}/{env}`).
   */
  match(method: string, path: string): RouteMatch | null {
    const parts = path.split('/').slice(1);
    let best: RouteMatch | null = null;
    let bestLiterals = -1;
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      const ok = route.segments.every((seg, i) => {
        const part = parts[i] ?? '';
        if (seg.startsWith('{')) {
          params[seg.slice(1, -1)] = decodeURIComponent(part);
          return part.length > 0;
        }
        literals++;
        return seg === part;
      });
      if (ok && literals > bestLiterals) {
        best = { route, params };
        bestLiterals = literals;
      }
    }
    return best;
  }

  validator(key: string, schema: Json): ValidateFunction {
    let fn = this.cache.get(key);
    if (!fn) {
      fn = this.ajv.compile(normalize(schema) as Json);
      this.cache.set(key, fn);
    }
    return fn;
  }
}

/**
 * Parsing the 15k-line YAML takes seconds, and every test worker needs it; a JSON copy keyed by
 * the file's hash in the OS temp dir (not the repo) makes later loads take milliseconds.
 */
function readDoc(): OpenApiDoc {
  const src = readFileSync(SPEC_URL, 'utf8');
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `supaplane-coolify-openapi-${hash}.json`);
  try {
    return JSON.parse(readFileSync(cache, 'utf8')) as OpenApiDoc;
  } catch {
    const doc = YAML.parse(src) as OpenApiDoc;
    const partial = `${cache}.${process.pid}`;
    writeFileSync(partial, JSON.stringify(doc));
    renameSync(partial, cache); // atomic, so parallel workers never read half a file
    return doc;
  }
}

let loaded: CoolifySpec | null = null;

export function loadSpec(): CoolifySpec {
  loaded ??= new CoolifySpec(readDoc());
  return loaded;
}
