import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../../log.js';
import type { ProjectGateway } from '../../gateway/gateway.js';
import { gatewayUrl } from '../../gateway/gateway-path.js';

/**
 * Limits on what the data-page proxies read from upstream. Request bodies are
 * bounded before any route runs, per route (src/http/limits/body-limits.ts).
 */
export const PROXY_LIMITS = {
  /** Upstream error bodies read to extract a message. */
  errorBodyBytes: 64 * 1024,
  /** Upstream JSON bodies the proxy rewrites (user lists, signed URLs). */
  rewriteBodyBytes: 16 * 1024 * 1024,
} as const;

export const PROXY_TIMEOUTS = {
  /** Until the upstream's response headers arrive. */
  defaultMs: 30_000,
  /** SQL editor runs that ask for no statement timeout. */
  longQueryMs: 5 * 60_000,
  /** Longest pause between two chunks of a streamed response body. */
  idleMs: 30_000,
} as const;

/** A failure the proxy answers itself, with a status of its own and a machine code. */
export class ProxyError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

/** Renders a ProxyError like every other error body: `message` for Studio, `error` for machines. */
export function proxyErrorResponse(c: Context, err: ProxyError) {
  return c.json({ message: err.message, error: err.code }, err.status);
}

/**
 * The caller's request body, if any. Its size and nesting were checked before the
 * route ran (src/http/middleware/request-limits.ts), which bounds this read.
 */
export async function readBody(req: Request): Promise<Uint8Array | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD' || !req.body) return undefined;
  const bytes = new Uint8Array(await req.arrayBuffer());
  return bytes.byteLength === 0 ? undefined : bytes;
}

/** The caller's JSON body (an object), or 400 when it is missing or malformed. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const bytes = await readBody(req);
  if (!bytes) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ProxyError(400, 'validation', 'Request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProxyError(400, 'validation', 'Request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Caller headers that may travel to a project; everything else (cookies, the
 * dashboard token, x-connection-encrypted…) stays behind. */
const REQUEST_HEADERS = ['accept', 'content-type'];
/** Upstream headers that may travel back; no ETag or Last-Modified (no 304s for Studio). */
const RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'content-range',
  'accept-ranges',
  'cache-control',
  'x-total-count',
];

export function pickHeaders(from: Headers, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = from.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

export interface ForwardRequest {
  method: string;
  /** Path on the gateway, starting with `/`, already percent-encoded. */
  path: string;
  /** The gateway prefix `path` must stay under once resolved, e.g. `/storage/v1/`. */
  scope: string;
  /** Raw query string including `?`, or empty. */
  search?: string;
  /** The caller's headers; only allow-listed ones (plus `extraHeaders`) are sent. */
  callerHeaders?: Headers;
  extraHeaders?: readonly string[];
  /** JSON to send (serialized here) or raw bytes. */
  json?: unknown;
  body?: Uint8Array;
  timeoutMs?: number;
  /** The caller's request signal: a client that goes away cancels the upstream call. */
  signal?: AbortSignal;
  requestId?: string;
}

/**
 * Calls the project's gateway with its service key (never the caller's token) and
 * returns the upstream response, its body guarded by an idle timeout. A gateway that
 * cannot be reached is a 502 and one that does not answer in time a 504, both
 * naming the project and its status.
 */
export async function forward(gw: ProjectGateway, req: ForwardRequest): Promise<Response> {
  const url = gatewayUrl(gw.baseUrl, req.path, req.scope) + (req.search ?? '');
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(req.callerHeaders
      ? pickHeaders(req.callerHeaders, [...REQUEST_HEADERS, ...(req.extraHeaders ?? [])])
      : {}),
    apikey: gw.serviceKey,
    authorization: `Bearer ${gw.serviceKey}`,
  };
  if (req.requestId) headers['x-request-id'] = req.requestId;
  let body: Uint8Array | string | undefined = req.body;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    headers['content-type'] = 'application/json';
  }
  // Every API behind these proxies speaks JSON; a body without a type would be refused.
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const timeoutMs = req.timeoutMs ?? PROXY_TIMEOUTS.defaultMs;
  const upstream = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.abort();
  }, timeoutMs);
  const onCallerAbort = () => upstream.abort();
  req.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers,
      body,
      signal: upstream.signal,
      redirect: 'manual',
    });
  } catch (err) {
    req.signal?.removeEventListener('abort', onCallerAbort);
    if (timedOut) {
      throw new ProxyError(
        504,
        'gateway_timeout',
        `${gw.label} (${gw.project.status}) did not answer within ${timeoutMs / 1000} s`,
      );
    }
    throw new ProxyError(
      502,
      'bad_gateway',
      `${gw.label} is ${gw.project.status} but its gateway could not be reached ` +
        `(${networkCause(err)}); it may be restarting, try again shortly`,
    );
  } finally {
    clearTimeout(timer);
  }
  if (!res.body) {
    req.signal?.removeEventListener('abort', onCallerAbort);
    return res;
  }
  const release = () => req.signal?.removeEventListener('abort', onCallerAbort);
  const guarded = res.body.pipeThrough(
    idleGuard(PROXY_TIMEOUTS.idleMs, {
      onIdle: () => {
        release();
        upstream.abort();
      },
      onEnd: release,
    }),
  );
  return new Response(guarded, { status: res.status, headers: res.headers });
}

function networkCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? 'network error';
}

/** Passes chunks through, calling `onIdle` when none arrives for `ms`. */
function idleGuard(
  ms: number,
  { onIdle, onEnd }: { onIdle: () => void; onEnd: () => void },
): TransformStream<Uint8Array, Uint8Array> {
  let timer = setTimeout(onIdle, ms);
  timer.unref();
  return new TransformStream({
    transform(chunk, controller) {
      clearTimeout(timer);
      timer = setTimeout(onIdle, ms);
      timer.unref();
      controller.enqueue(chunk);
    },
    flush() {
      clearTimeout(timer);
      onEnd();
    },
  });
}

const NO_BODY = new Set([204, 205, 304]);

/**
 * The upstream response as the caller's: success bodies streamed untouched with
 * allow-listed headers; errors rewritten so that they carry a `message`.
 */
export async function relay(gw: ProjectGateway, res: Response): Promise<Response> {
  if (res.status >= 400) return errorFrom(gw, res);
  const headers = pickHeaders(res.headers, RESPONSE_HEADERS);
  // fetch decodes compressed bodies, so a length is only right for unencoded ones.
  const length = res.headers.get('content-length');
  if (length !== null && !res.headers.has('content-encoding')) headers['content-length'] = length;
  if (NO_BODY.has(res.status)) {
    await res.body?.cancel();
    return new Response(null, { status: res.status, headers });
  }
  return new Response(res.body, { status: res.status, headers });
}

/** Reads an upstream JSON body the proxy needs to rewrite, or answers its error. */
export async function upstreamJson(gw: ProjectGateway, res: Response): Promise<unknown> {
  if (res.status >= 400) throw new RelayedError(await errorFrom(gw, res));
  const text = await readText(res, PROXY_LIMITS.rewriteBodyBytes);
  if (text === undefined) {
    throw new ProxyError(502, 'bad_gateway', `${gw.label} answered with an oversized body`);
  }
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new ProxyError(502, 'bad_gateway', `${gw.label} answered with malformed JSON`);
  }
}

/** An upstream error already rendered for the caller. */
export class RelayedError extends Error {
  constructor(readonly response: Response) {
    super('upstream error');
    this.name = 'RelayedError';
  }
}

async function readText(res: Response, limit: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * An upstream error as the caller's. The gateway refusing our key (401) and upstream
 * crashes (500) are Supaplane's upstream failing, so 502; other statuses pass through.
 */
async function errorFrom(gw: ProjectGateway, res: Response): Promise<Response> {
  const text = (await readText(res, PROXY_LIMITS.errorBodyBytes).catch(() => '')) ?? '';
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    body =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : { detail: parsed };
  } catch {
    if (text.trim()) body = { detail: text.trim().slice(0, 500) };
  }
  const upstreamMessage = firstString(body, ['message', 'msg', 'error_description', 'error']);
  let status = res.status;
  let message = upstreamMessage ?? (typeof body.detail === 'string' ? body.detail : undefined);
  if (status === 401) {
    status = 502;
    message =
      `${gw.label}'s gateway refused Supaplane's service key (${message ?? 'unauthorized'}); ` +
      `the project's keys may be out of sync`;
  } else if (status >= 500) {
    if (![502, 503, 504].includes(status)) status = 502;
    message = `${gw.label} (${gw.project.status}) failed: ${message ?? `HTTP ${res.status}`}`;
  }
  const headers = { 'content-type': 'application/json; charset=utf-8' };
  return new Response(
    JSON.stringify({
      ...body,
      message: message ?? `${gw.label} answered ${res.status}`,
      ...(typeof body.error === 'string' ? {} : { error: 'upstream' }),
    }),
    { status, headers },
  );
}

function firstString(body: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = body[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return undefined;
}

/**
 * Runs a proxy handler, rendering ProxyError and RelayedError; other errors go to
 * onError. Gateway failures are logged: they are the project's trouble, not the caller's.
 */
export async function proxied(
  c: Context,
  log: Logger,
  run: () => Promise<Response>,
): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ProxyError) {
      if (err.status >= 500) log.warn({ path: c.req.path, code: err.code }, err.message);
      return proxyErrorResponse(c, err);
    }
    if (err instanceof RelayedError) return err.response;
    throw err;
  }
}
