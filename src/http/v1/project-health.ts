import type { Principal } from '../../auth/principal.js';
import { poolerServed } from '../../connections/strings.js';
import type { Deps } from '../../context.js';
import type { ProjectStatus } from '../../db/schema/index.js';
import { invalid, precondition } from '../../errors.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { requireProject } from '../../members/access.js';
import { projectGatewayUrl } from '../../projects/urls.js';

/**
 * GET /v1/projects/{ref}/health: each service probed through the project's own
 * gateway, the way a client would reach it. The pooler speaks Postgres, not HTTP,
 * so it is not probed: on template v2 its health is the stack's, which Coolify
 * reports unhealthy when any container's healthcheck fails, the pooler's
 * (`pg_isready` on 6543) included. Template v1 runs no pooler, so `pooler` and
 * `pg_bouncer` are reported unhealthy with the reason, never healthy; refusing
 * them would break clients (Supabase's MCP server always asks for `pooler`).
 */
const PROBED = ['auth', 'db', 'realtime', 'rest', 'storage'] as const;
const NOT_RUN = ['db_postgres_user', 'pooler', 'pg_bouncer'] as const;
export const HEALTH_SERVICES = [...PROBED, ...NOT_RUN] as const;
export type HealthService = (typeof HEALTH_SERVICES)[number];
type Probed = (typeof PROBED)[number];

export interface ServiceHealth {
  name: HealthService;
  healthy: boolean;
  status: 'COMING_UP' | 'ACTIVE_HEALTHY' | 'UNHEALTHY';
  info?: { name: 'GoTrue'; version: string; description: string };
  error?: string;
}

const STARTING: readonly ProjectStatus[] = ['COMING_UP', 'RESTORING', 'RESTARTING'];

interface Probe {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

const PROBES: Record<Probed, Probe> = {
  auth: { method: 'GET', path: '/auth/v1/health' },
  rest: { method: 'GET', path: '/rest/v1/' },
  storage: { method: 'GET', path: '/storage/v1/status' },
  realtime: { method: 'GET', path: '/realtime/v1/api/ping' },
  // pg-meta (service role only) runs the query on the database itself.
  db: { method: 'POST', path: '/pg/query', body: { query: 'select 1 as ok' } },
};

const NOT_RUN_REASON: Record<(typeof NOT_RUN)[number], string> = {
  pooler: 'Projects on template v1 run no connection pooler',
  pg_bouncer: 'Projects on template v1 run no PgBouncer',
  db_postgres_user: 'Not checked separately on Supaplane projects; see the db service',
};

const isProbed = (name: HealthService): name is Probed =>
  (PROBED as readonly string[]).includes(name);

/** `?services=a,b` or `?services=a&services=b`, as clients send arrays. */
export function parseHealthServices(raw: readonly string[]): HealthService[] {
  const names = [
    ...new Set(
      raw
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length === 0) throw invalid('services is required, e.g. ?services=auth,rest,db');
  for (const name of names) {
    if (!(HEALTH_SERVICES as readonly string[]).includes(name)) {
      throw invalid(`Unknown service "${name.slice(0, 40)}"; one of ${HEALTH_SERVICES.join(', ')}`);
    }
  }
  return names as HealthService[];
}

export async function projectHealth(
  deps: Pick<Deps, 'db' | 'config' | 'keyring'>,
  {
    actor,
    input,
  }: { actor: Principal; input: { ref: string; services: HealthService[]; timeoutMs?: number } },
): Promise<ServiceHealth[]> {
  const { project } = await requireProject(deps, actor, input.ref, 'read');
  const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
  if (!secrets) throw precondition(`Project ${project.ref} has no keys (yet)`);
  const base = projectGatewayUrl(deps.config, project.ref);
  const timeoutMs = Math.min(Math.max(input.timeoutMs ?? 5000, 100), 10_000);
  const down = STARTING.includes(project.status) ? ('COMING_UP' as const) : ('UNHEALTHY' as const);
  const key = secrets.SUPABASE_SERVICE_KEY;
  return Promise.all(
    input.services.map(async (name): Promise<ServiceHealth> => {
      if ((name === 'pooler' || name === 'pg_bouncer') && poolerServed(project)) {
        return project.status === 'ACTIVE_HEALTHY'
          ? { name, healthy: true, status: 'ACTIVE_HEALTHY' }
          : { name, healthy: false, status: down, error: `The project is ${project.status}` };
      }
      if (!isProbed(name)) {
        return { name, healthy: false, status: 'UNHEALTHY', error: NOT_RUN_REASON[name] };
      }
      const probe = PROBES[name];
      try {
        const res = await fetch(base + probe.path, {
          method: probe.method,
          headers: {
            apikey: key,
            authorization: `Bearer ${key}`,
            ...(probe.body ? { 'content-type': 'application/json' } : {}),
          },
          body: probe.body ? JSON.stringify(probe.body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        const text = await res.text();
        if (!res.ok) {
          return {
            name,
            healthy: false,
            status: down,
            error: `${probe.path} answered ${res.status}`,
          };
        }
        return {
          name,
          healthy: true,
          status: 'ACTIVE_HEALTHY',
          ...(name === 'auth' ? authInfo(text) : {}),
        };
      } catch (err) {
        const why =
          (err as Error).name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : 'unreachable';
        return { name, healthy: false, status: down, error: `${probe.path} ${why}` };
      }
    }),
  );
}

function authInfo(text: string): Pick<ServiceHealth, 'info'> {
  try {
    const body = JSON.parse(text) as { version?: unknown; description?: unknown };
    if (typeof body.version !== 'string') return {};
    return {
      info: {
        name: 'GoTrue',
        version: body.version,
        description: typeof body.description === 'string' ? body.description : '',
      },
    };
  } catch {
    return {};
  }
}
