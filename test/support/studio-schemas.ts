import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

/**
 * Contract checks against Studio's response shapes in
 * ../shared/reference/studio/schemas (JSON Schema 2020-12, one file per name):
 *
 *   expectStudioSchema('ProfileResponse', res.body);
 *
 * Set STUDIO_SCHEMAS_DIR to read them from elsewhere.
 */
const SCHEMAS_DIR =
  process.env.STUDIO_SCHEMAS_DIR ??
  fileURLToPath(new URL('../../../shared/reference/studio/schemas/', import.meta.url));

// strict: false because the schemas carry x-endpoint / x-derived-from annotations.
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();

export const STUDIO_SCHEMA_NAMES: string[] = readdirSync(SCHEMAS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort();

function validator(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    if (!STUDIO_SCHEMA_NAMES.includes(name)) {
      throw new Error(`No Studio schema "${name}"; known: ${STUDIO_SCHEMA_NAMES.join(', ')}`);
    }
    const schema = JSON.parse(readFileSync(`${SCHEMAS_DIR}/${name}.json`, 'utf8')) as object;
    validate = ajv.compile(schema);
    validators.set(name, validate);
  }
  return validate;
}

/** The schema's errors for `body`, as readable lines; empty when it conforms. */
export function studioSchemaErrors(name: string, body: unknown): string[] {
  const validate = validator(name);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
  );
}

/** Fails the test, listing every violation, unless `body` conforms to Studio's schema `name`. */
export function expectStudioSchema(name: string, body: unknown): void {
  expect(studioSchemaErrors(name, body), `${name} violations`).toEqual([]);
}
