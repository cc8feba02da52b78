// What a route handler receives, plus the two request checks Coolify controllers call at
// different points (so each handler can reproduce its controller's exact check order).
import type { Lifecycle } from './lifecycle.js';
import { addError, json, validationFailed, type ErrorBag, type Reply } from './reply.js';
import type { CoolifySpec } from './spec.js';
import type { Ability, SimState } from './types.js';
import { laravelBag, type MessageOptions } from './validation.js';

export interface ResolvedOptions {
  tokens: Map<string, string[]>;
  /** token → Coolify user, for the per-user rate limit. */
  tokenUsers: Map<string, string>;
  latencyMs: number;
  rateLimitPerMinute: number;
  apiEnabled: boolean;
  startDelayMs: number;
  runningStatus: string;
  deleteDelayMs: number;
  queueDelayMs: number;
  stopDelayMs: number;
  statusRefreshMs: number;
}

export interface SimCore {
  state: SimState;
  opts: ResolvedOptions;
  lifecycle: Lifecycle;
  spec: CoolifySpec;
}

export interface Ctx {
  core: SimCore;
  method: string;
  path: string;
  template: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Request JSON when it is an object; `{}` otherwise (what Laravel's `$request->all()` sees). */
  body: Record<string, unknown>;
  rawBody: string;
  isJson: boolean;
  /** JSON.parse result; undefined when the body is empty or not valid JSON. */
  parsed: unknown;
  abilities: string[];
  canReadSensitive: boolean;
}

export interface RouteDef {
  method: string;
  template: string;
  ability: Ability;
  handle(ctx: Ctx): Reply | Promise<Reply>;
}

/** `validateIncomingRequest()` (bootstrap/helpers/api.php): only some controllers call it. */
export function gate(ctx: Ctx): Reply | null {
  const invalid = (error: string) => json(400, { message: 'Invalid request.', error });
  if (!ctx.isJson) return invalid('Content-Type must be application/json.');
  // PHP's json_decode() result is falsy for invalid JSON and for [], 0, "", false, null.
  const p = ctx.parsed;
  if (p === undefined || !p || (Array.isArray(p) && p.length === 0))
    return invalid('Invalid JSON.');
  if (typeof p !== 'object' || Object.keys(p).length === 0) return invalid('Empty JSON.');
  return null;
}

export interface BodyRules extends MessageOptions {
  /** Allowed-field list of the controller; anything else gets "This field is not allowed." */
  allowed?: string[];
  /** Extra errors computed by the handler (e.g. required_without), merged in the same 422. */
  extra?: ErrorBag;
}

/** Laravel Validator over the spec-derived schema plus the controller's allowed-field list. */
export function validateBody(ctx: Ctx, rules: BodyRules = {}): Reply | null {
  const key = `${ctx.method} ${ctx.template}`;
  const route = ctx.core.spec.routes.find((r) => `${r.method} ${r.template}` === key);
  const bag: ErrorBag = {};
  if (route?.bodySchema) {
    const validate = ctx.core.spec.validator(key, route.bodySchema);
    if (!validate(ctx.body)) Object.assign(bag, laravelBag(validate.errors, rules));
  }
  for (const [field, list] of Object.entries(rules.extra ?? {}))
    for (const text of list) addError(bag, field, text);
  if (rules.allowed) {
    for (const field of Object.keys(ctx.body))
      if (!rules.allowed.includes(field)) addError(bag, field, 'This field is not allowed.');
  }
  return Object.keys(bag).length > 0 ? validationFailed(bag) : null;
}

export function isFilled(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
