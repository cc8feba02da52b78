// JSON shapes of Coolify's API responses, including which fields `read:sensitive` unlocks.
import type {
  SimEnvVar,
  SimEnvironment,
  SimProject,
  SimServer,
  SimService,
  SimState,
  SimSubResource,
} from './types.js';

export const COOLIFY_VERSION = '4.3.11';

/** serializeApiResponse(): keys sorted, timestamps last, then id/uuid/description/name first. */
export function apiOrder(obj: Record<string, unknown>): Record<string, unknown> {
  const { created_at, updated_at, ...rest } = obj;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(rest).sort()) sorted[k] = rest[k];
  if (created_at) sorted.created_at = created_at;
  if (updated_at) sorted.updated_at = updated_at;
  const head: Record<string, unknown> = {};
  if (sorted.id != null) head.id = sorted.id;
  if (sorted.uuid) head.uuid = sorted.uuid;
  if (sorted.description) head.description = sorted.description;
  if (sorted.name) head.name = sorted.name;
  return { ...head, ...sorted };
}

export function envJson(env: SimEnvVar, sensitive: boolean): Record<string, unknown> {
  const realValue =
    env.value !== null && (env.is_literal || env.is_multiline) ? `'${env.value}'` : env.value;
  const out: Record<string, unknown> = {
    uuid: env.uuid,
    key: env.key,
    comment: env.comment,
    is_buildpack_control: false,
    is_buildtime: env.is_buildtime,
    is_coolify: env.key.startsWith('SERVICE_'),
    is_literal: env.is_literal,
    is_multiline: env.is_multiline,
    is_preview: env.is_preview,
    is_really_required: env.is_required && !realValue,
    is_required: env.is_required,
    is_runtime: env.is_runtime,
    is_shared: false,
    is_shown_once: env.is_shown_once,
    order: null,
    version: COOLIFY_VERSION,
    created_at: env.created_at,
    updated_at: env.updated_at,
  };
  // Hidden unless read:sensitive/root, and always hidden for is_shown_once.
  if (sensitive && !env.is_shown_once) {
    out.value = env.value;
    out.real_value = realValue;
  }
  return apiOrder(out);
}

function subJson(sub: SimSubResource, serviceId: number): Record<string, unknown> {
  const common = {
    id: sub.id,
    uuid: sub.uuid,
    name: sub.name,
    human_name: null,
    description: null,
    exclude_from_status: sub.exclude_from_status,
    image: sub.image,
    is_include_timestamps: false,
    is_log_drain_enabled: false,
    is_migrated: false,
    last_online_at: sub.last_online_at ?? sub.created_at,
    ports: null,
    service_id: serviceId,
    status: sub.status,
    deleted_at: null,
    created_at: sub.created_at,
    updated_at: sub.updated_at,
  };
  if (sub.kind === 'database')
    return { ...common, custom_type: null, is_public: false, public_port: null };
  return {
    ...common,
    fqdn: sub.fqdn,
    is_gzip_enabled: true,
    is_stripprefix_enabled: true,
    required_fqdn: false,
  };
}

export function serviceJson(
  state: SimState,
  svc: SimService,
  sensitive: boolean,
): Record<string, unknown> {
  const server = state.servers.find((s) => s.uuid === svc.serverUuid);
  const environment = state.projects
    .get(svc.projectUuid)
    ?.environments.find((e) => e.uuid === svc.environmentUuid);
  const destination = server?.destinations.find((d) => d.uuid === svc.destinationUuid);
  const out: Record<string, unknown> = {
    uuid: svc.uuid,
    name: svc.name,
    description: svc.description,
    compose_parsing_version: '5',
    config_hash: null,
    connect_to_docker_network: svc.connect_to_docker_network,
    deleted_at: null,
    destination_id: destination?.id ?? null,
    destination_type: 'App\\Models\\StandaloneDocker',
    environment_id: environment?.id ?? null,
    is_container_label_escape_enabled: svc.is_container_label_escape_enabled,
    is_container_label_readonly_enabled: true,
    server_id: server?.id ?? null,
    server_status: server ? server.is_reachable && server.is_usable : false,
    service_type: null,
    status: svc.status,
    // The status accessor loads these relations, so they appear in every Service JSON.
    applications: svc.applications.map((a) => subJson(a, svc.id)),
    databases: svc.databases.map((d) => subJson(d, svc.id)),
    created_at: svc.created_at,
    updated_at: svc.updated_at,
  };
  if (sensitive) {
    out.docker_compose_raw = svc.docker_compose_raw;
    out.docker_compose = svc.docker_compose_raw;
  }
  return apiOrder(out);
}

export function environmentJson(env: SimEnvironment): Record<string, unknown> {
  return apiOrder({ ...env });
}

export function projectJson(project: SimProject, withEnvs: boolean): Record<string, unknown> {
  const { environments, ...rest } = project;
  const base = { ...rest, team_id: 0 };
  return apiOrder(withEnvs ? { ...base, environments: environments.map(environmentJson) } : base);
}

export function serverJson(server: SimServer): Record<string, unknown> {
  const settings = {
    id: server.id,
    server_id: server.id,
    concurrent_builds: 2,
    connection_timeout: 10,
    delete_unused_networks: false,
    delete_unused_volumes: false,
    deployment_queue_limit: 25,
    docker_cleanup_frequency: '0 0 * * *',
    docker_cleanup_threshold: 80,
    dynamic_timeout: 3600,
    force_disabled: false,
    is_build_server: server.is_build_server,
    is_cloudflare_tunnel: false,
    is_jump_server: false,
    is_metrics_enabled: false,
    is_reachable: server.is_reachable,
    is_sentinel_enabled: false,
    is_swarm_manager: false,
    is_swarm_worker: false,
    is_terminal_enabled: true,
    is_usable: server.is_usable,
    wildcard_domain: server.wildcard_domain,
    created_at: server.created_at,
    updated_at: server.updated_at,
  };
  return {
    uuid: server.uuid,
    name: server.name,
    description: server.description,
    ip: server.ip,
    user: server.user,
    port: server.port,
    is_reachable: server.is_reachable,
    is_usable: server.is_usable,
    settings,
  };
}

export function isSensitiveAllowed(abilities: string[]): boolean {
  return abilities.includes('root') || abilities.includes('read:sensitive');
}
