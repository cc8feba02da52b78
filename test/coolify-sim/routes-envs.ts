// /services/{uuid}/envs*: ServicesController env endpoints. None of them call
// validateIncomingRequest, so a non-JSON body is simply an empty input (→ 422 on `key`).
import { validateBody, type Ctx, type RouteDef } from './context.js';
import { json, message, SERVER_ERROR, validationFailed, type Reply } from './reply.js';
import { findService } from './routes-services.js';
import { envJson } from './serialize.js';
import { ENV_ITEM_SCHEMA } from './spec.js';
import { createEnv, upsertEnv, type EnvFields } from './store.js';
import { laravelBag } from './validation.js';

/** customApiValidator() replaces Laravel's "The key field is required." */
const REQUIRED = 'This field is required.';

/** Lookup key: trimmed by the validator prep, then spaces → underscores. */
const storageKey = (key: unknown) => String(key).trim().replace(/ /g, '_');

const FLAGS = ['is_literal', 'is_multiline', 'is_shown_once'] as const;

// Bulk passes every fillable attribute straight into updateOrCreate().
const BULK_FILLABLE = [
  'value', 'comment', 'is_preview', 'is_multiline', 'is_literal', 'is_runtime', 'is_buildtime',
  'is_shown_once', 'is_required',
] as const; // prettier-ignore

function trimKey(body: Record<string, unknown>): void {
  if ('key' in body) body.key = String(body.key).trim();
}

function createEnvRoute(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  trimKey(ctx.body);
  const failed = validateBody(ctx, { requiredMessage: REQUIRED });
  if (failed) return failed;
  const key = storageKey(ctx.body.key);
  if (svc.envs.has(key))
    return message(409, 'Environment variable already exists. Use PATCH request to update it.');
  const b = ctx.body;
  const env = createEnv(svc, key, {
    value: (b.value as string | null | undefined) ?? null,
    is_literal: (b.is_literal as boolean | undefined) ?? false,
    is_multiline: (b.is_multiline as boolean | undefined) ?? false,
    is_shown_once: (b.is_shown_once as boolean | undefined) ?? false,
    comment: (b.comment as string | null | undefined) ?? null,
  });
  return json(201, envJson(env, ctx.canReadSensitive));
}

function updateEnvRoute(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  trimKey(ctx.body);
  const failed = validateBody(ctx, { requiredMessage: REQUIRED });
  if (failed) return failed;
  const b = ctx.body;
  if (!svc.envs.has(storageKey(b.key))) return message(404, 'Environment variable not found.');
  // `$env->value = $request->value;` — omitting value sets it to null.
  const fields: EnvFields = { value: (b.value as string | null | undefined) ?? null };
  for (const flag of FLAGS) if (flag in b) fields[flag] = b[flag] as boolean;
  if ('comment' in b) fields.comment = (b.comment as string | null) ?? null;
  const env = upsertEnv(svc, storageKey(b.key), fields);
  return json(201, envJson(env, ctx.canReadSensitive));
}

function bulkEnvRoute(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  const data = ctx.body.data;
  if (!data || (Array.isArray(data) && data.length === 0))
    return message(400, 'Bulk data is required.');
  const failed = validateBody(ctx);
  if (failed) return failed;
  const validate = ctx.core.spec.validator('env-item', ENV_ITEM_SCHEMA);
  const saved: unknown[] = [];
  for (const raw of data as unknown[]) {
    // PHP's array_key_exists() on a non-array item throws → 500, after earlier items saved.
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return SERVER_ERROR;
    const item = { ...(raw as Record<string, unknown>) };
    trimKey(item);
    if (!validate(item))
      return validationFailed(laravelBag(validate.errors, { requiredMessage: REQUIRED }));
    const fields: EnvFields = {};
    for (const f of BULK_FILLABLE)
      if (f in item) (fields as Record<string, unknown>)[f] = item[f] ?? null;
    const env = upsertEnv(svc, storageKey(item.key), fields);
    saved.push(envJson(env, ctx.canReadSensitive));
  }
  return json(201, saved);
}

function deleteEnvRoute(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  const env = [...svc.envs.values()].find((e) => e.uuid === ctx.params.env_uuid);
  if (!env) return message(404, 'Environment variable not found.');
  svc.envs.delete(env.key);
  return message(200, 'Environment variable deleted.');
}

export const envRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/services/{uuid}/envs',
    ability: 'read',
    handle: (ctx) => {
      const svc = findService(ctx);
      if (!('uuid' in svc)) return svc;
      return json(
        200,
        [...svc.envs.values()].map((e) => envJson(e, ctx.canReadSensitive)),
      );
    },
  },
  { method: 'POST', template: '/services/{uuid}/envs', ability: 'write', handle: createEnvRoute },
  { method: 'PATCH', template: '/services/{uuid}/envs', ability: 'write', handle: updateEnvRoute },
  {
    method: 'PATCH',
    template: '/services/{uuid}/envs/bulk',
    ability: 'write',
    handle: bulkEnvRoute,
  },
  {
    method: 'DELETE',
    template: '/services/{uuid}/envs/{env_uuid}',
    ability: 'write',
    handle: deleteEnvRoute,
  },
];
