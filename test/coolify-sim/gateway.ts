// A fake per-project Kong gateway at /gateway/{ref}/…, served by the sim. It answers only while
// the service tagged with {ref} is running, and checks `apikey` like Kong's key-auth + ACL would
// for the anon/service_role consumers (here: an HS256 JWT signed with the service's JWT secret).
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

function serviceFor(state: SimState, ref: string): SimService | undefined {
  const tagged = [...state.services.values()].filter((s) => s.tags.includes(ref.toLowerCase()));
  return tagged.find((s) => !s.deleting) ?? tagged[0];
}

/** JWT_SECRET, or the magic SERVICE_PASSWORD_JWT; `${OTHER}` values resolve one level. */
function jwtSecret(svc: SimService): string | null {
  const raw = svc.envs.get('JWT_SECRET')?.value ?? svc.envs.get('SERVICE_PASSWORD_JWT')?.value;
  if (!raw) return null;
  const ref = /^\$\{([A-Za-z0-9_]+)\}$/.exec(raw);
  return ref ? (svc.envs.get(ref[1]!)?.value ?? null) : raw;
}

async function keyProblem(svc: SimService, apikey: string | null): Promise<Reply | null> {
  if (!apikey) return json(401, { message: 'No API key found in request' });
  const secret = jwtSecret(svc);
  const invalid = json(401, { message: 'Invalid authentication credentials' });
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
  ref: string,
  sub: string,
  method: string,
  apikey: string | null,
): Promise<Reply> {
  const svc = serviceFor(deps.state, ref);
  if (!svc) return plain(404, '404 page not found'); // Traefik: no router for this host
  if (deps.failing.has(ref.toLowerCase())) return plain(502, 'Bad Gateway');
  if (!svc.status.startsWith('running')) return plain(503, 'no available server');
  if (method !== 'GET' && method !== 'HEAD')
    return json(404, { message: 'no Route matched with those values' });
  if (sub === '/auth/v1/health') {
    // The brief's probe sends no key here; a key that is sent must still be valid.
    const bad = apikey === null ? null : await keyProblem(svc, apikey);
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
    const bad = await keyProblem(svc, apikey);
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
  path: string,
  apikey: string | null,
): Promise<Reply> {
  const m = /^\/gateway\/([^/]+)(\/.*)?$/.exec(path);
  const ref = m?.[1] ?? '';
  const sub = m?.[2] ?? '/';
  const reply = await answer(deps, ref, sub, method, apikey);
  deps.calls.push({ method, ref, path: sub, apikey, status: reply.status });
  return reply;
}
