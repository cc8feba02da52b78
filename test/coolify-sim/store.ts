// In-memory records plus the small helpers every route shares (ids, timestamps, env upsert).
import { randomBytes, randomInt } from 'node:crypto';
import type {
  SimEnvVar,
  SimProject,
  SimServer,
  SimServerInput,
  SimService,
  SimState,
} from './types.js';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(length: number, alphabet = MIXED_ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Coolify's `new_public_id()`: 24 lowercase alphanumerics, not an RFC-4122 UUID. */
export function newUuid(): string {
  return randomString(24, LOWER_ALNUM);
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Laravel serialises timestamps with microseconds: 2024-01-01T00:00:00.000000Z. */
export function now(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

let nextId = 1;
export function newId(): number {
  return nextId++;
}

export function createState(inputs: SimServerInput[] | undefined): SimState {
  const servers = (inputs ?? [{}, {}, {}]).map((input, i) => createServer(input, i));
  return {
    servers,
    projects: new Map(),
    services: new Map(),
    deletedServices: [],
    images: new Map(),
    leftovers: [],
  };
}

function createServer(input: SimServerInput, index: number): SimServer {
  const uuid = input.uuid ?? newUuid();
  const ts = now();
  const destinations = Array.from({ length: input.destinations ?? 1 }, (_, d) => ({
    id: newId(),
    uuid: newUuid(),
    name: d === 0 ? 'localhost-coolify' : `network-${d}`,
    network: d === 0 ? 'coolify' : `coolify-${d}`,
    type: 'standalone' as const,
    server_uuid: uuid,
    created_at: ts,
    updated_at: ts,
  }));
  return {
    id: newId(),
    uuid,
    name: input.name ?? `sim-server-${index + 1}`,
    description: input.description ?? '',
    ip: input.ip ?? `10.0.0.${index + 1}`,
    user: 'root',
    port: 22,
    is_usable: input.is_usable ?? true,
    is_reachable: input.is_reachable ?? true,
    is_build_server: input.is_build_server ?? false,
    wildcard_domain: input.wildcard_domain ?? null,
    destinations,
    created_at: ts,
    updated_at: ts,
  };
}

export function createProject(
  state: SimState,
  name: string,
  description: string | null,
): SimProject {
  const ts = now();
  const id = newId();
  // Project::booted() creates the `production` environment automatically.
  const production = {
    id: newId(),
    uuid: newUuid(),
    name: 'production',
    project_id: id,
    description: null,
    created_at: ts,
    updated_at: ts,
  };
  const project = {
    id,
    uuid: newUuid(),
    name,
    description,
    environments: [production],
    created_at: ts,
    updated_at: ts,
  };
  state.projects.set(project.uuid, project);
  return project;
}

export function servicesInProject(state: SimState, projectUuid: string): SimService[] {
  return [...state.services.values()].filter((s) => s.projectUuid === projectUuid);
}

export function findServer(state: SimState, uuid: string): SimServer | undefined {
  return state.servers.find((s) => s.uuid === uuid);
}

export type EnvFields = Partial<
  Pick<
    SimEnvVar,
    | 'value'
    | 'comment'
    | 'is_literal'
    | 'is_multiline'
    | 'is_shown_once'
    | 'is_preview'
    | 'is_runtime'
    | 'is_buildtime'
    | 'is_required'
  >
>;

/** Coolify's value mutator trims before encrypting. */
function cleanValue(value: string | null | undefined): string | null {
  return typeof value === 'string' ? value.trim() : null;
}

export function createEnv(service: SimService, key: string, fields: EnvFields): SimEnvVar {
  const ts = now();
  const env: SimEnvVar = {
    uuid: newUuid(),
    key,
    value: cleanValue(fields.value),
    comment: fields.comment ?? null,
    is_literal: fields.is_literal ?? false,
    is_multiline: fields.is_multiline ?? false,
    is_shown_once: fields.is_shown_once ?? false,
    is_preview: fields.is_preview ?? false,
    is_runtime: fields.is_runtime ?? true,
    is_buildtime: fields.is_buildtime ?? true,
    is_required: fields.is_required ?? false,
    created_at: ts,
    updated_at: ts,
  };
  service.envs.set(key, env);
  return env;
}

/** Eloquent `updateOrCreate`: only the given attributes change on an existing row. */
export function upsertEnv(service: SimService, key: string, fields: EnvFields): SimEnvVar {
  const existing = service.envs.get(key);
  if (!existing) return createEnv(service, key, fields);
  for (const [k, v] of Object.entries(fields) as [keyof EnvFields, unknown][]) {
    if (v === undefined) continue;
    if (k === 'value') existing.value = cleanValue(v as string | null);
    else (existing as unknown as Record<string, unknown>)[k] = v;
  }
  existing.updated_at = now();
  return existing;
}

/** Eloquent `firstOrCreate`: an existing key is never overwritten (user edits survive parses). */
export function firstOrCreateEnv(service: SimService, key: string, fields: EnvFields): SimEnvVar {
  return service.envs.get(key) ?? createEnv(service, key, fields);
}
