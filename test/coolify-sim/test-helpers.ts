// Small fetch wrapper and fixtures shared by the simulator's own tests.
import type { CoolifySim } from './index.js';

export interface ApiResult {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

export type Api = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResult>;

/** Calls `${sim.apiUrl}${path}` with a bearer token; objects are sent as JSON. */
export function apiFor(sim: CoolifySim, token: string | null = sim.token): Api {
  return async (method, path, body, headers = {}) => {
    const h: Record<string, string> = { Accept: 'application/json', ...headers };
    if (token !== null) h.Authorization = `Bearer ${token}`;
    if (body !== undefined && typeof body !== 'string') h['Content-Type'] ??= 'application/json';
    const res = await fetch(`${sim.apiUrl}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}

export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export const REF = 'abcdefghijklmnopqrst';

export const COMPOSE = `# comments are dropped by Coolify's re-dump
services:
  supabase-kong:
    image: kong/kong:3.9.1
    environment:
      SERVICE_URL_SUPABASEKONG_8000:
      JWT_SECRET: \${JWT_SECRET:?}
      ANON_KEY: \${ANON_KEY}
      KONG_DNS_ORDER: \${KONG_DNS_ORDER:-LAST,A,CNAME}
  supabase-db:
    image: supabase/postgres:15.8.1.085
    environment:
      POSTGRES_PASSWORD: \${SERVICE_PASSWORD_POSTGRES}
  minio-createbucket:
    image: minio/mc:latest
    restart: "no"
`;

/** Creates a project and returns the ids a POST /services needs. */
export async function setupProject(sim: CoolifySim, api: Api) {
  const res = await api('POST', '/projects', { name: 'supaplane-test' });
  const projectUuid = (res.json as { uuid: string }).uuid;
  const serverUuid = sim.state.servers[0]!.uuid;
  return { projectUuid, serverUuid };
}

export function createBody(ids: { projectUuid: string; serverUuid: string }, extra = {}) {
  return {
    project_uuid: ids.projectUuid,
    server_uuid: ids.serverUuid,
    environment_name: 'production',
    docker_compose_raw: b64(COMPOSE),
    name: `${REF} demo`,
    instant_deploy: false,
    tags: ['supaplane', REF.toUpperCase()],
    urls: [{ name: 'supabase-kong', url: `https://${REF}.example.test:8000` }],
    ...extra,
  };
}

export async function createService(
  api: Api,
  ids: { projectUuid: string; serverUuid: string },
  extra = {},
) {
  const res = await api('POST', '/services', createBody(ids, extra));
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${res.text}`);
  return (res.json as { uuid: string; domains: string[] }).uuid;
}

/** Polls until `check` passes (real timers, small delays). */
export async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
