import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The Supabase Management API contract (shared/reference/supabase-management-api/
 * openapi-v1.json) as ajv validators: OpenAPI 3.0's `nullable` becomes a JSON
 * Schema null alternative, and every response status of every operation gets a
 * validator for its body (or none, when the spec gives no content).
 */
interface Operation {
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

export const SPEC = JSON.parse(
  readFileSync('../shared/reference/supabase-management-api/openapi-v1.json', 'utf8'),
) as Spec;

/** OpenAPI 3.0 → JSON Schema: `nullable`, refs into `definitions`, no discriminator. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'nullable' || k === 'discriminator' || k === 'example' || k === 'deprecated')
      continue;
    if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.replace('#/components/schemas/', 'v1#/definitions/');
      continue;
    }
    out[k] = toJsonSchema(v);
  }
  // Draft-04 style boolean exclusive bounds → numeric ones.
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] !== 'boolean') continue;
    if (out[flag] && typeof out[bound] === 'number') out[flag] = out[bound];
    else delete out[flag];
    if (typeof out[flag] === 'number') delete out[bound];
  }
  if ((node as { nullable?: boolean }).nullable) {
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const ajv = new Ajv.default({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema({ $id: 'v1', definitions: toJsonSchema(SPEC.components.schemas) });

const templates = Object.keys(SPEC.paths)
  .map((template) => ({
    template,
    regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  // Static segments win over parameters (available-regions before {ref}).
  .sort((a, b) => a.params - b.params);

export function operationOf(method: string, path: string) {
  const bare = path.split('?')[0]!;
  for (const t of templates) {
    const op = SPEC.paths[t.template]![method.toLowerCase()];
    if (op && t.regex.test(bare)) return { template: t.template, op };
  }
  return undefined;
}

const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/**
 * Problems of one response against the contract, empty when it conforms:
 * documented statuses validate against their schema, and every error (listed in
 * the spec or not) must carry a `message`.
 */
export function contractProblems(
  method: string,
  path: string,
  status: number,
  body: unknown,
): { problems: string[]; documented: boolean; template?: string } {
  const found = operationOf(method, path);
  if (!found) return { problems: [`${method} ${path} is not in the spec`], documented: false };
  const response = found.op.responses[String(status)];
  const problems: string[] = [];
  if (status >= 400) {
    const message = (body as { message?: unknown } | undefined)?.message;
    if (typeof message !== 'string' || message === '') {
      problems.push(`${status} without a message: ${JSON.stringify(body)}`);
    }
  }
  const schema = response?.content?.['application/json']?.schema;
  if (schema) {
    const key = `${method} ${found.template} ${status}`;
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema) as object);
      validators.set(key, validate);
    }
    if (!validate(body)) {
      problems.push(
        `${key}: ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${JSON.stringify(body).slice(0, 400)}`,
      );
    }
  }
  // A documented status without content leaves the body unconstrained (query returns rows).
  return { problems, documented: Boolean(response), template: found.template };
}
