import type { SimFileStorage } from './file-storages.js';
// Public types of the Coolify API simulator. State objects are the simulator's live records,
// exposed read-only so tests can assert on exactly what a client did.

export type Ability = 'read' | 'read:sensitive' | 'write' | 'write:sensitive' | 'deploy' | 'root';

export interface SimServerInput {
  uuid?: string;
  name?: string;
  description?: string;
  ip?: string;
  is_usable?: boolean;
  is_reachable?: boolean;
  is_build_server?: boolean;
  /** `settings.wildcard_domain`, e.g. `https://example.com`; null → sslip.io default URLs. */
  wildcard_domain?: string | null;
  /** Number of Docker network destinations (default 1). 0 and >1 exercise Coolify's 400s. */
  destinations?: number;
}

export interface SimOptions {
  servers?: SimServerInput[];
  /** token → abilities. Default `{ 'sim-root-token': ['root'] }`. */
  tokens?: Record<string, string[]>;
  /** token → Coolify user id; tokens not listed all belong to one user (the rate limit is per user). */
  tokenUsers?: Record<string, string>;
  latencyMs?: number;
  rateLimitPerMinute?: number;
  apiEnabled?: boolean;
  /** How long `docker compose up` runs (the start activity, status `starting:unhealthy`). */
  startDelayMs?: number;
  /** What each started container reports once up, e.g. `running:healthy`, `running:unknown`. */
  runningStatus?: string;
  deleteDelayMs?: number;
  /** Horizon picking up a queued StartService/StopService/RestartService/DeleteResourceJob. */
  queueDelayMs?: number;
  /** `docker stop` + `docker rm -f` inside StopService. */
  stopDelayMs?: number;
  /** ServerCheckJob period: stored statuses only change when it runs (60 s self-hosted). */
  statusRefreshMs?: number;
}

/** `garbage`: a 200 whose body is not the JSON the route documents (a captive proxy page). */
export type FaultKind = '500' | '502' | '503' | 'timeout' | '429' | 'slow' | 'drop' | 'garbage';

export interface Fault {
  method?: string;
  /** Route template such as `/services/:uuid/start`, `/services/{uuid}` or `/services`. */
  path: string;
  kind: FaultKind;
  /** How many matching requests are hit (default 1; Infinity allowed). */
  times?: number;
  delayMs?: number;
  retryAfterSeconds?: number;
  /** Apply after the real handler ran (state mutated, response lost or delayed). */
  after?: boolean;
}

export interface SimCall {
  method: string;
  /** Path without the `/api/v1` prefix, e.g. `/services/abc/start`. */
  path: string;
  /** Matched route template, e.g. `/services/{uuid}/start` (null for unknown routes). */
  route: string | null;
  query: Record<string, string>;
  body: unknown;
  /** HTTP status sent; 0 when the request was dropped or held (timeout fault). */
  status: number;
  token: string | null;
  fault?: FaultKind;
}

export interface GatewayCall {
  method: string;
  ref: string;
  path: string;
  apikey: string | null;
  status: number;
}

export interface SimDestination {
  id: number;
  uuid: string;
  name: string;
  network: string;
  type: 'standalone';
  server_uuid: string;
  created_at: string;
  updated_at: string;
}

export interface SimServer {
  id: number;
  uuid: string;
  name: string;
  description: string;
  ip: string;
  user: string;
  port: number;
  is_usable: boolean;
  is_reachable: boolean;
  is_build_server: boolean;
  wildcard_domain: string | null;
  destinations: SimDestination[];
  created_at: string;
  updated_at: string;
}

export interface SimEnvironment {
  id: number;
  uuid: string;
  name: string;
  project_id: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface SimProject {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  environments: SimEnvironment[];
  created_at: string;
  updated_at: string;
}

export interface SimEnvVar {
  uuid: string;
  key: string;
  value: string | null;
  comment: string | null;
  is_literal: boolean;
  is_multiline: boolean;
  is_shown_once: boolean;
  is_preview: boolean;
  is_runtime: boolean;
  is_buildtime: boolean;
  is_required: boolean;
  created_at: string;
  updated_at: string;
}

export interface SimSubResource {
  id: number;
  uuid: string;
  /** Compose service name, e.g. `supabase-kong`. */
  name: string;
  kind: 'application' | 'database';
  image: string | null;
  /** Only applications carry a domain; comma-separated like Coolify stores it. */
  fqdn: string | null;
  status: string;
  exclude_from_status: boolean;
  /** Set whenever Coolify writes or re-confirms the status (ServiceApplication.php:68-71). */
  last_online_at?: string;
  created_at: string;
  updated_at: string;
}

/** What Docker really runs for a service, as opposed to what Coolify's database says. */
export interface SimRuntime {
  /** Container state per compose service, e.g. `running:healthy`, `exited`. */
  containers: Map<string, string>;
  /** The `.env` the running containers were started with (null while stopped). */
  startedEnv: Record<string, string> | null;
  /** The latest start activity (Spatie Activity with this service's type_uuid). */
  activity: 'in_progress' | 'finished' | 'error' | 'cancelled' | null;
  /** Successful `docker compose up` runs: each recreates every container. */
  composeUps: number;
  /** Why the last `docker compose up` failed, if it did. */
  lastStartError: string | null;
  /** Jobs of this service run one after another, like one Horizon worker would. */
  queue: Promise<void>;
}

/** What a delete left on a host that was not functional (DeleteService.php:12, StopService.php:34). */
export interface SimLeftover {
  serviceUuid: string;
  serverUuid: string;
  containers: string[];
  volumes: string[];
}

export type DeleteFlag =
  'delete_configurations' | 'delete_volumes' | 'docker_cleanup' | 'delete_connected_networks';

export interface DeleteRequest {
  /** Query values exactly as sent (undefined = flag omitted, Coolify then defaults to true). */
  raw: Record<DeleteFlag, string | undefined>;
  effective: Record<DeleteFlag, boolean>;
  at: number;
}

export interface SimService {
  id: number;
  uuid: string;
  name: string;
  description: string | null;
  projectUuid: string;
  environmentUuid: string;
  serverUuid: string;
  destinationUuid: string;
  /** Compose exactly as the client sent it (base64-decoded). */
  compose: string;
  /** What Coolify stores: the compose re-dumped as YAML (comments dropped). */
  docker_compose_raw: string;
  tags: string[];
  status: string;
  /** Insertion-ordered env vars keyed by env key. */
  envs: Map<string, SimEnvVar>;
  applications: SimSubResource[];
  databases: SimSubResource[];
  /** `urls` of the last create/PATCH that carried them. */
  urls: { name: string; url: string | null }[];
  connect_to_docker_network: boolean;
  is_container_label_escape_enabled: boolean;
  /** Set once DELETE was accepted; the record disappears after `deleteDelayMs`. */
  deleting: DeleteRequest | null;
  deleteRequests: DeleteRequest[];
  /** Lifecycle actions the API accepted, in order (start/stop/restart). */
  actions: ('start' | 'stop' | 'restart')[];
  /** Created on first use by the lifecycle (seeded services have none). */
  runtime?: SimRuntime;
  /** LocalFileVolume rows of inline-content mounts (file-storages.ts). */
  fileStorages?: SimFileStorage[];
  /** What those rows wrote on the server, by `<compose service>:<mount path>`. */
  hostFiles?: Map<string, string>;
  created_at: string;
  updated_at: string;
}

export interface SimState {
  servers: SimServer[];
  projects: Map<string, SimProject>;
  services: Map<string, SimService>;
  /** Services removed by an API delete or operatorDelete, for post-mortem assertions. */
  deletedServices: SimService[];
  /** Docker images present on each server (by server uuid); see images.ts. */
  images: Map<string, Set<string>>;
  /** Containers and volumes a delete could not remove. */
  leftovers: SimLeftover[];
}
