// /services CRUD, following ServicesController::create_service / update_by_uuid / delete_by_uuid
// check by check, in the same order (so the first failing check decides the status code).
import { parseCompose, decodeCompose } from './compose.js';
import { gate, isFilled, validateBody, type Ctx, type RouteDef } from './context.js';
import { cleanupDocker } from './images.js';
import { applyServiceUrls, serviceDomains, type UrlResult } from './domains.js';
import { json, message, validationFailed, type ErrorBag, type Reply } from './reply.js';
import { serviceJson } from './serialize.js';
import { stripTags } from './strip-tags.js';
import { findServer, newId, newUuid, now, randomString } from './store.js';
import type { DeleteFlag, DeleteRequest, SimService } from './types.js';
import { queryBoolean } from './validation.js';

const CREATE_ALLOWED = [
  'type', 'name', 'description', 'project_uuid', 'environment_name', 'environment_uuid',
  'server_uuid', 'destination_uuid', 'instant_deploy', 'docker_compose_raw', 'urls',
  'force_domain_override', 'is_container_label_escape_enabled', 'tags',
]; // prettier-ignore
const UPDATE_ALLOWED = [
  'name', 'description', 'instant_deploy', 'docker_compose_raw', 'connect_to_docker_network',
  'urls', 'force_domain_override', 'is_container_label_escape_enabled',
]; // prettier-ignore
const URL_MESSAGES = {
  'urls.*.array':
    'An item in the urls array has invalid fields. Only name and url fields are supported.',
};
const DELETE_FLAGS: DeleteFlag[] = [
  'delete_configurations',
  'delete_volumes',
  'docker_cleanup',
  'delete_connected_networks',
];

export function findService(ctx: Ctx): SimService | Reply {
  return ctx.core.state.services.get(ctx.params.uuid!) ?? message(404, 'Service not found.');
}

/** HandlesTagsApi::normalizeTagNames: strip_tags, trim, lowercase, unique. */
function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const names = tags.map((t) => stripTags(String(t)).trim().toLowerCase());
  return [...new Set(names)];
}

// Only strings are stripped; a null description stays null as the simulator always kept it
// (PHP 8's strip_tags(null) would store '' with a deprecation notice).
const nullableStripTags = (v: unknown) => (typeof v === 'string' ? stripTags(v) : null);

function urlFailure(result: NonNullable<UrlResult>): Reply {
  if ('errors' in result) return validationFailed(result.errors);
  return json(409, {
    message: 'Domain conflicts detected. Use force_domain_override=true to proceed.',
    conflicts: result.conflicts,
    warning: result.warning,
  });
}

function requiredWithout(body: Record<string, unknown>): ErrorBag {
  if (isFilled(body.type) || isFilled(body.docker_compose_raw)) return {};
  return {
    type: ['The type field is required when docker compose raw is not present.'],
    docker_compose_raw: ['The docker compose raw field is required when type is not present.'],
  };
}

function createService(ctx: Ctx): Reply {
  const b = ctx.body;
  const failed =
    gate(ctx) ??
    validateBody(ctx, {
      allowed: CREATE_ALLOWED,
      extra: requiredWithout(b),
      messages: URL_MESSAGES,
    });
  if (failed) return failed;
  const tags = normalizeTags(b.tags);
  if (tags.some((t) => t.length < 2))
    return validationFailed({
      tags: ['Each tag name must be at least 2 characters after sanitization.'],
    });
  if (isFilled(b.type) && isFilled(b.docker_compose_raw))
    return message(
      422,
      'You cannot provide both service type and docker_compose_raw. Use one or the other.',
    );
  if (!isFilled(b.environment_uuid) && !isFilled(b.environment_name))
    return message(
      422,
      'You need to provide at least one of environment_name or environment_uuid.',
    );
  const state = ctx.core.state;
  const project = state.projects.get(b.project_uuid as string);
  if (!project) return message(404, 'Project not found.');
  const env =
    project.environments.find((e) => e.name === b.environment_name) ??
    project.environments.find((e) => e.uuid === b.environment_uuid);
  if (!env) return message(404, 'Environment not found.');
  const server = findServer(state, b.server_uuid as string);
  if (!server) return message(404, 'Server not found.');
  if (server.is_build_server)
    return validationFailed({
      server_uuid: [
        'The specified server is configured as a build server and cannot host resources.',
      ],
    });
  const dests = server.destinations;
  if (dests.length === 0) return message(400, 'Server has no destinations.');
  if (dests.length > 1 && !('destination_uuid' in b))
    return message(400, 'Server has multiple destinations and you do not set destination_uuid.');
  const destination =
    dests.length > 1 ? dests.find((d) => d.uuid === b.destination_uuid) : dests[0];
  if (!destination)
    return validationFailed({
      destination_uuid: 'Provided destination_uuid does not belong to the specified server.',
    });
  // One-click templates are not simulated: behave as an instance without that template.
  if (isFilled(b.type))
    return json(404, { message: 'Service not found.', valid_service_types: [] });

  const decoded = decodeCompose(b.docker_compose_raw);
  if (!decoded.ok) return decoded.reply;
  const ts = now();
  const svc: SimService = {
    id: newId(),
    uuid: newUuid(),
    // HasSafeStringAttribute: strip_tags on name and description.
    name: stripTags((b.name as string | null | undefined) ?? `service-${randomString(10)}`),
    description: nullableStripTags(b.description),
    projectUuid: project.uuid,
    environmentUuid: env.uuid,
    serverUuid: server.uuid,
    destinationUuid: destination.uuid,
    compose: decoded.text,
    docker_compose_raw: decoded.dumped,
    tags: [],
    status: 'exited',
    envs: new Map(),
    applications: [],
    databases: [],
    urls: [],
    connect_to_docker_network: false,
    is_container_label_escape_enabled: b.is_container_label_escape_enabled !== false,
    deleting: null,
    deleteRequests: [],
    actions: [],
    created_at: ts,
    updated_at: ts,
  };
  state.services.set(svc.uuid, svc);
  parseCompose(svc, server);
  if (Array.isArray(b.urls)) {
    const result = applyServiceUrls(state, svc, b.urls, b.force_domain_override === true);
    if (result) {
      state.services.delete(svc.uuid); // soft-deleted: gone from every listing
      return urlFailure(result);
    }
  }
  if ('tags' in b) svc.tags = tags;
  if (b.instant_deploy === true) {
    svc.actions.push('start');
    ctx.core.lifecycle.start(svc);
  }
  return json(201, { uuid: svc.uuid, domains: serviceDomains(svc) });
}

function updateService(ctx: Ctx): Reply {
  const b = ctx.body;
  const gated = gate(ctx);
  if (gated) return gated;
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  const failed = validateBody(ctx, { allowed: UPDATE_ALLOWED, messages: URL_MESSAGES });
  if (failed) return failed;
  if ('docker_compose_raw' in b) {
    const decoded = decodeCompose(b.docker_compose_raw);
    if (!decoded.ok) return decoded.reply;
    svc.compose = decoded.text;
    svc.docker_compose_raw = decoded.dumped;
  }
  if ('name' in b) svc.name = stripTags(b.name as string);
  if ('description' in b) svc.description = nullableStripTags(b.description);
  if ('connect_to_docker_network' in b)
    svc.connect_to_docker_network = b.connect_to_docker_network === true;
  if ('is_container_label_escape_enabled' in b)
    svc.is_container_label_escape_enabled = b.is_container_label_escape_enabled === true;
  svc.updated_at = now();
  const server = findServer(ctx.core.state, svc.serverUuid);
  if (server) parseCompose(svc, server);
  if (Array.isArray(b.urls)) {
    const result = applyServiceUrls(ctx.core.state, svc, b.urls, b.force_domain_override === true);
    if (result) return urlFailure(result);
  }
  if (b.instant_deploy === true) {
    svc.actions.push('start');
    ctx.core.lifecycle.start(svc);
  }
  return json(200, { uuid: svc.uuid, domains: serviceDomains(svc) });
}

function deleteService(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  const raw = {} as DeleteRequest['raw'];
  const effective = {} as DeleteRequest['effective'];
  for (const flag of DELETE_FLAGS) {
    raw[flag] = ctx.query.get(flag) ?? undefined;
    effective[flag] = queryBoolean(ctx.query.get(flag), true);
  }
  ctx.core.lifecycle.requestDelete(svc, { raw, effective, at: Date.now() });
  if (effective.docker_cleanup) cleanupDocker(ctx.core.state, svc.serverUuid, svc);
  return message(200, 'Service deletion request queued.');
}

export const serviceRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/services',
    ability: 'read',
    handle: (ctx) =>
      json(
        200,
        [...ctx.core.state.services.values()].map((s) =>
          serviceJson(ctx.core.state, s, ctx.canReadSensitive),
        ),
      ),
  },
  { method: 'POST', template: '/services', ability: 'write', handle: createService },
  {
    method: 'GET',
    template: '/services/{uuid}',
    ability: 'read',
    handle: (ctx) => {
      const svc = findService(ctx);
      return 'uuid' in svc
        ? json(200, serviceJson(ctx.core.state, svc, ctx.canReadSensitive))
        : svc;
    },
  },
  { method: 'PATCH', template: '/services/{uuid}', ability: 'write', handle: updateService },
  { method: 'DELETE', template: '/services/{uuid}', ability: 'write', handle: deleteService },
];
