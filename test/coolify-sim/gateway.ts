// A fake per-project Kong, served by the sim. Like Coolify's proxy it routes by the domain the
// service's `supabase-kong` application was given (its fqdn, set from `urls`:
// ServicesController.php:117-198), not by tags; `/gateway/{ref}/…` reaches the application whose
// domain starts with `{ref}.` (an operator's internal URL). It answers while that container runs
// in Docker, whatever Coolify's stored status says, and checks keys against the `.env` the
// containers were started with: env written later only counts after a restart
// (StartService.php:25,43 write .env and recreate the containers).
import { jwtVerify } from 'jose';
import { json, type Reply } from './reply.js';
import type { GatewayCall, SimService, SimState } from './types.js';

export interface GatewayDeps {
  state: SimState;
  failing: Set<string>;
  calls: GatewayCall[];
}

const plain = (status: number, text: string): Reply => ({
  status,
  text,
  contentType: 'text/plain; charset=utf-8',
});

const hostOf = (fqdn: string) => /^[a-z]+:\/\/([^/:]+)/i.exec(fqdn)?.[1]?.toLowerCase() ?? '';

/** The running-or-not service and container whose domain is `host` (or starts with `ref.`). */
function route(state: SimState, match: (host: string) => boolean) {
  const found: { svc: SimService; container: string }[] = [];
  for (const svc of state.services.values())
    for (const app of svc.applications)
      for (const fqdn of (app.fqdn ?? '').split(','))
        if (fqdn && match(hostOf(fqdn))) found.push({ svc, container: app.name });
  return found.find((f) => !f.svc.deleting) ?? found[0];
}

/** JWT_SECRET (or the magic SERVICE_PASSWORD_JWT) of the running containers. */
function jwtSecret(env: Record<string, string>): string | null {
  const raw = env.JWT_SECRET || env.SERVICE_PASSWORD_JWT;
  if (!raw) return null;
  const ref = /^\$\{([A-Za-z0-9_]+)\}$/.exec(raw);
  return ref ? (env[ref[1]!] ?? null) : raw;
}

async function keyProblem(
  env: Record<string, string>,
  apikey: string | null,
): Promise<Reply | null> {
  if (!apikey) return json(401, { message: 'No API key found in request' });
  const invalid = json(401, { message: 'Invalid authentication credentials' });
  // Kong's key-auth consumers are the keys in its env (kong.yml), when the stack defines them.
  const keys = ['SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_KEY'].map((k) => env[k]).filter(Boolean);
  if (keys.length > 0 && !keys.includes(apikey)) return invalid;
  const secret = jwtSecret(env);
  if (!secret) return invalid;
  try {
    const { payload } = await jwtVerify(apikey, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
    });
    return payload.role === 'anon' || payload.role === 'service_role' ? null : invalid;
  } catch {
    return invalid;
  }
}

async function answer(
  deps: GatewayDeps,
  target: { host: string } | { ref: string },
  sub: string,
  method: string,
  apikey: string | null,
): Promise<Reply> {
  const found =
    'host' in target
      ? route(deps.state, (h) => h === target.host)
      : route(deps.state, (h) => h.startsWith(`${target.ref.toLowerCase()}.`));
  if (!found) return plain(404, '404 page not found'); // Traefik: no router for this host
  const ref = 'ref' in target ? target.ref : target.host.split('.')[0]!;
  if (deps.failing.has(ref.toLowerCase())) return plain(502, 'Bad Gateway');
  const rt = found.svc.runtime;
  const env = rt?.startedEnv;
  if (!env || !rt.containers.get(found.container)?.startsWith('running'))
    return plain(503, 'no available server');
  if (method !== 'GET' && method !== 'HEAD')
    return json(404, { message: 'no Route matched with those values' });
  if (sub === '/auth/v1/health') {
    // The brief's probe sends no key here; a key that is sent must still be valid.
    const bad = apikey === null ? null : await keyProblem(env, apikey);
    return (
      bad ??
      json(200, {
        version: 'v2.186.0',
        name: 'GoTrue',
        description: 'GoTrue is a user registration and authentication API',
      })
    );
  }
  if (sub === '/rest/v1/') {
    const bad = await keyProblem(env, apikey);
    return (
      bad ??
      json(200, {
        swagger: '2.0',
        info: { title: 'standard public schema', version: '14.6' },
        paths: {},
      })
    );
  }
  return json(404, { message: 'no Route matched with those values' });
}

export async function handleGateway(
  deps: GatewayDeps,
  method: string,
  target: { host: string } | { path: string },
  path: string,
  apikey: string | null,
): Promise<Reply> {
  let ref: string;
  let sub: string;
  let reply: Reply;
  if ('host' in target) {
    ref = target.host.split('.')[0]!;
    sub = path;
    reply = await answer(deps, { host: target.host }, sub, method, apikey);
  } else {
    const m = /^\/gateway\/([^/]+)(\/.*)?$/.exec(target.path);
    ref = m?.[1] ?? '';
    sub = m?.[2] ?? '/';
    reply = await answer(deps, { ref }, sub, method, apikey);
  }
  deps.calls.push({ method, ref, path: sub, apikey, status: reply.status });
  return reply;
}
