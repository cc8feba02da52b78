// Turns ajv errors into Laravel-style validation bags (`{field: ["The x field is required."]}`)
// so a client sees the same 422 bodies Coolify's Validator produces.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { addError, type ErrorBag } from './reply.js';

export interface MessageOptions {
  /** Overrides keyed `field.rule` with `*` for list indexes, e.g. `urls.*.array`. */
  messages?: Record<string, string>;
  /** customApiValidator() replaces Laravel's required message with this one. */
  requiredMessage?: string;
}

function fieldOf(err: ErrorObject): string {
  const base = err.instancePath.split('/').slice(1).join('.');
  if (err.keyword === 'required') {
    const missing = String((err.params as { missingProperty?: string }).missingProperty);
    return base ? `${base}.${missing}` : missing;
  }
  return base;
}

function typeRule(type: unknown): string {
  const t = Array.isArray(type) ? type[0] : type;
  if (t === 'boolean') return 'boolean';
  if (t === 'array') return 'array';
  if (t === 'integer' || t === 'number') return 'integer';
  if (t === 'object') return 'array';
  return 'string';
}

const TEMPLATES: Record<string, string> = {
  required: 'The :attribute field is required.',
  string: 'The :attribute field must be a string.',
  boolean: 'The :attribute field must be true or false.',
  array: 'The :attribute field must be an array.',
  integer: 'The :attribute field must be an integer.',
  min: 'The :attribute field must be at least :n characters.',
  max: 'The :attribute field must not be greater than :n characters.',
  regex: 'The :attribute field format is invalid.',
  in: 'The selected :attribute is invalid.',
};

function ruleOf(err: ErrorObject): { rule: string; n?: number } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { rule: 'required' };
    case 'type':
      return { rule: typeRule(p.type) };
    case 'minLength':
      return { rule: 'min', n: Number(p.limit) };
    case 'maxLength':
      return { rule: 'max', n: Number(p.limit) };
    case 'pattern':
      return { rule: 'regex' };
    case 'enum':
      return { rule: 'in' };
    case 'additionalProperties':
      return { rule: 'array' };
    default:
      return { rule: 'in' };
  }
}

export function laravelBag(errors: ErrorObject[] | null | undefined, opts: MessageOptions = {}) {
  const bag: ErrorBag = {};
  for (const err of errors ?? []) {
    const field = fieldOf(err) || 'body';
    const { rule, n } = ruleOf(err);
    const pattern = field.replace(/\.\d+(?=\.|$)/g, '.*');
    let text = opts.messages?.[`${pattern}.${rule}`];
    if (!text && rule === 'required' && opts.requiredMessage) text = opts.requiredMessage;
    // Laravel shows top-level attributes with spaces for underscores, nested paths verbatim.
    const attribute = field.includes('.') ? field : field.replace(/_/g, ' ');
    text ??= (TEMPLATES[rule] ?? TEMPLATES.in!)
      .replace(':attribute', attribute)
      .replace(':n', String(n ?? ''));
    addError(bag, field, text);
  }
  return bag;
}

/** Query strings carry types only by convention; Laravel's boolean() accepts these spellings. */
export function checkQueryType(type: string, value: string): boolean {
  if (type === 'boolean') return ['true', 'false', '1', '0'].includes(value);
  if (type === 'integer') return /^-?\d+$/.test(value);
  return true;
}

/** Laravel `$request->boolean()` (FILTER_VALIDATE_BOOLEAN), with Coolify's per-flag default. */
export function queryBoolean(value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  return ['1', 'true', 'on', 'yes'].includes(value.toLowerCase());
}
