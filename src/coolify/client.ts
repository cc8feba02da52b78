import { randomUUID } from 'node:crypto';
import { FetchError, ofetch } from 'ofetch';
import { z } from 'zod';
import { CoolifyError, parseRetryAfter } from './errors.js';
import { SlidingWindowLimiter, type RequestBudget } from './rate-limiter.js';
import {
  createdSchema,
  createdServiceSchema,
  destinationSchema,
  environmentSchema,
  envListSchema,
  messageSchema,
  projectSchema,
  resourceSchema,
  serverSchema,
  serviceSchema,
  serviceStoragesSchema,
  type CreateServiceInput,
  type DeleteServiceFlags,
  type EnvInput,
} from './schemas.js';

export interface CoolifyClientOptions {
  baseUrl: string; // e.g. https://coolify.example.com (the /api/v1 prefix is added here)
  token: string;
  timeoutMs: number;
  requestsPerMinute: number;
  /** The budget to draw on; by default one of this client's own (requestsPerMinute). */
  budget?: RequestBudget;
  /** Observes every call (endpoint template, status or error, latency) for metrics and logs. */
  onCall?: (call: { endpoint: string; status: number | 'error'; ms: number }) => void;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface Call<T> {
  method: Method;
  /** The route template, used for metrics and error messages (never carries secrets). */
  endpoint: string;
  path: string;
  schema: z.ZodType<T>;
  body?: unknown;
  query?: Record<string, string>;
}

/** The one typed wrapper around Coolify's REST API; see shared/reference/coolify. */
export class CoolifyClient {
  private readonly limiter: RequestBudget;
  private readonly baseURL: string;

  constructor(private readonly options: CoolifyClientOptions) {
    this.limiter = options.budget ?? new SlidingWindowLimiter(options.requestsPerMinute);
    this.baseURL = `${options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}/api/v1`;
  }

  version = () =>
    this.call({ method: 'GET', endpoint: '/version', path: '/version', schema: textSchema });
  listServers = () =>
    this.call({
      method: 'GET',
      endpoint: '/servers',
      path: '/servers',
      schema: serverSchema.array(),
    });
  /** DestinationsController::index_by_server (routes/api.php:182@379abb25). */
  serverDestinations = (serverUuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/servers/{uuid}/destinations',
      path: `/servers/${enc(serverUuid)}/destinations`,
      schema: destinationSchema.array(),
    });
  serverResources = (serverUuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/servers/{uuid}/resources',
      path: `/servers/${enc(serverUuid)}/resources`,
      schema: resourceSchema.array(),
    });
  listProjects = () =>
    this.call({
      method: 'GET',
      endpoint: '/projects',
      path: '/projects',
      schema: projectSchema.array(),
    });
  createProject = (input: { name: string; description: string }) =>
    this.call({
      method: 'POST',
      endpoint: '/projects',
      path: '/projects',
      body: input,
      schema: createdSchema,
    });
  environment = (projectUuid: string, environment: string) =>
    this.call({
      method: 'GET',
      endpoint: '/projects/{uuid}/{environment}',
      path: `/projects/${enc(projectUuid)}/${enc(environment)}`,
      schema: environmentSchema,
    });
  deleteProject = (projectUuid: string) =>
    this.call({
      method: 'DELETE',
      endpoint: '/projects/{uuid}',
      path: `/projects/${enc(projectUuid)}`,
      schema: messageSchema,
    });
  createService = (input: CreateServiceInput) =>
    this.call({
      method: 'POST',
      endpoint: '/services',
      path: '/services',
      body: input,
      schema: createdServiceSchema,
    });
  getService = (uuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/services/{uuid}',
      path: `/services/${enc(uuid)}`,
      schema: serviceSchema,
    });
  /** Every service of the team; `docker_compose_raw` is present only with `read:sensitive`. */
  listServices = () =>
    this.call({
      method: 'GET',
      endpoint: '/services',
      path: '/services',
      schema: z.array(z.object({ uuid: z.string(), docker_compose_raw: z.string().nullish() })),
    });
  serviceTags = (uuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/services/{uuid}/tags',
      path: `/services/${enc(uuid)}/tags`,
      schema: z.array(z.object({ name: z.string() })),
    });
  /** PATCH /services/{uuid}: a new `docker_compose_raw` is re-parsed at once (ServicesController.php:1211-1261@379abb25). */
  updateService = (
    uuid: string,
    input: {
      name?: string;
      description?: string;
      docker_compose_raw?: string;
      is_container_label_escape_enabled?: boolean;
    },
  ) =>
    this.call({
      method: 'PATCH',
      endpoint: '/services/{uuid}',
      path: `/services/${enc(uuid)}`,
      body: input,
      schema: createdSchema,
    });
  deleteService = (uuid: string, flags: DeleteServiceFlags) =>
    this.call({
      method: 'DELETE',
      endpoint: '/services/{uuid}',
      path: `/services/${enc(uuid)}`,
      query: Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, String(v)])),
      schema: messageSchema,
    });
  serviceStorages = (uuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/services/{uuid}/storages',
      path: `/services/${enc(uuid)}/storages`,
      schema: serviceStoragesSchema,
    });
  deleteStorage = (uuid: string, storageUuid: string) =>
    this.call({
      method: 'DELETE',
      endpoint: '/services/{uuid}/storages/{storage_uuid}',
      path: `/services/${enc(uuid)}/storages/${enc(storageUuid)}`,
      schema: messageSchema,
    });
  upsertEnvs = (uuid: string, data: EnvInput[]) =>
    this.call({
      method: 'PATCH',
      endpoint: '/services/{uuid}/envs/bulk',
      path: `/services/${enc(uuid)}/envs/bulk`,
      body: { data },
      schema: envListSchema,
    });
  listEnvs = (uuid: string) =>
    this.call({
      method: 'GET',
      endpoint: '/services/{uuid}/envs',
      path: `/services/${enc(uuid)}/envs`,
      schema: envListSchema,
    });
  deleteEnv = (uuid: string, envUuid: string) =>
    this.call({
      method: 'DELETE',
      endpoint: '/services/{uuid}/envs/{env_uuid}',
      path: `/services/${enc(uuid)}/envs/${enc(envUuid)}`,
      schema: messageSchema,
    });
  startService = (uuid: string) => this.action(uuid, 'start');
  /**
   * `dockerCleanup` defaults to true in Coolify and then runs its server-wide CleanupDocker
   * after the stop (ServicesController.php:2191-2192, StopService.php:57-59@379abb25).
   */
  stopService = (uuid: string, flags: { dockerCleanup: boolean }) =>
    this.action(uuid, 'stop', { docker_cleanup: String(flags.dockerCleanup) });
  restartService = (uuid: string) => this.action(uuid, 'restart');

  private action(uuid: string, verb: 'start' | 'stop' | 'restart', query?: Record<string, string>) {
    return this.call({
      method: 'POST',
      endpoint: `/services/{uuid}/${verb}`,
      path: `/services/${enc(uuid)}/${verb}`,
      query,
      schema: messageSchema,
    });
  }

  private async call<T>(call: Call<T>): Promise<T> {
    await this.limiter.acquire();
    const started = performance.now();
    const label = `${call.method} ${call.endpoint}`;
    let status: number | 'error' = 'error';
    try {
      const res = await ofetch.raw(call.path, {
        baseURL: this.baseURL,
        method: call.method,
        body: call.body as Record<string, unknown> | undefined,
        query: call.query,
        timeout: this.options.timeoutMs,
        retry: 0,
        ignoreResponseError: true,
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          Accept: 'application/json',
          'X-Request-Id': randomUUID(),
        },
      });
      status = res.status;
      if (res.status >= 400) throw this.httpError(label, res.status, res._data, res.headers);
      const parsed = call.schema.safeParse(res._data);
      if (!parsed.success) {
        // A 2xx we cannot read is most likely a proxy or version mismatch: retry.
        throw new CoolifyError(
          `Coolify ${label}: unexpected response shape`,
          true,
          res.status,
          undefined,
          call.endpoint,
        );
      }
      return parsed.data;
    } catch (err) {
      if (err instanceof CoolifyError) throw err;
      const reason =
        err instanceof FetchError && /aborted|timeout/i.test(err.message)
          ? `timed out after ${this.options.timeoutMs} ms`
          : `unreachable (${(err as Error).message.split('\n')[0]})`;
      throw new CoolifyError(
        `Coolify ${label}: ${reason}`,
        true,
        undefined,
        undefined,
        call.endpoint,
      );
    } finally {
      this.options.onCall?.({ endpoint: label, status, ms: performance.now() - started });
    }
  }

  private httpError(label: string, status: number, data: unknown, headers: Headers): CoolifyError {
    const body = (data && typeof data === 'object' ? data : {}) as {
      message?: unknown;
      errors?: unknown;
    };
    // Keep Coolify's own words, including which fields a 422 rejected.
    const message =
      (typeof body.message === 'string' ? body.message : `HTTP ${status}`) +
      (body.errors ? ` ${JSON.stringify(body.errors).slice(0, 300)}` : '');
    const retryAfterMs =
      status === 429 ? (parseRetryAfter(headers.get('retry-after')) ?? 60_000) : undefined;
    if (retryAfterMs !== undefined) this.limiter.pauseFor(retryAfterMs);
    const retryable = status === 429 || status >= 500 || status === 408;
    return new CoolifyError(
      `Coolify ${label} → ${status}: ${message}`,
      retryable,
      status,
      retryAfterMs,
      label,
      data,
    );
  }
}

// /version answers text/html such as `4.3.11`.
const textSchema = z.unknown().transform((v) => String(v ?? '').trim());
const enc = encodeURIComponent;
