import type { Config } from '../../config/config.js';
import { CoolifyClient } from '../../coolify/client.js';
import { isCoolifyError } from '../../coolify/errors.js';
import type { CoolifyServer } from '../../coolify/schemas.js';
import { fail, ok, skip, warn, type Check } from './check.js';
import { selfUrlCheck } from './self-url.js';

/**
 * Never a Coolify uuid (those are 24 lowercase letters and digits), so calls on
 * it reach the controller, find nothing and change nothing.
 */
const PROBE_ID = 'supaplane-doctor-probe';

const TOKEN_FIX =
  'in Coolify, Keys & Tokens → API tokens: create a token with read, read:sensitive, write and deploy (or root) as a team admin or owner, and set COOLIFY_TOKEN';

/**
 * Reachability, API switch, version, each token ability and the configured
 * servers. Abilities are tested one by one because Coolify checks them exactly
 * (`write` does not imply `read`); see docs/cli.md for how each is detected.
 */
export async function coolifyChecks(
  config: Config,
): Promise<{ checks: Check[]; servers?: CoolifyServer[] }> {
  const checks: Check[] = [];
  if (!config.COOLIFY_URL || !config.COOLIFY_TOKEN) {
    checks.push(
      fail(
        'Coolify configured',
        'COOLIFY_URL and COOLIFY_TOKEN are not set',
        'set COOLIFY_URL to your Coolify dashboard URL and COOLIFY_TOKEN to an API token (docs/operators/coolify-token.md)',
      ),
    );
    return { checks };
  }
  const self = await selfUrlCheck(config);
  if (self) return { checks: [self] };
  const client = new CoolifyClient({
    baseUrl: config.COOLIFY_URL,
    token: config.COOLIFY_TOKEN,
    timeoutMs: config.COOLIFY_TIMEOUT_MS,
    requestsPerMinute: config.COOLIFY_RATE_LIMIT_PER_MINUTE,
  });
  const where = config.COOLIFY_URL;

  // GET /version needs `read`; its failures also tell reachability and the API switch apart.
  let canRead = false;
  try {
    const version = await client.version();
    canRead = true;
    checks.push(ok('Coolify reachable and its API enabled', where));
    checks.push(
      /^4\.\d+\.\d+/.test(version)
        ? ok('Coolify version', version)
        : warn('Coolify version', `${version || '(empty)'}: Supaplane is built for Coolify 4.x`),
    );
  } catch (err) {
    const message = (err as Error).message;
    const status = isCoolifyError(err) ? err.status : undefined;
    if (status === undefined) {
      checks.push(
        fail(
          'Coolify reachable',
          message,
          'check COOLIFY_URL (the Coolify dashboard URL) and that this host can reach it',
        ),
      );
      return { checks };
    }
    if (status === 401) {
      checks.push(ok('Coolify reachable', where));
      checks.push(fail('Coolify token valid', message, TOKEN_FIX));
      return { checks };
    }
    if (status === 403 && /API is disabled/i.test(message)) {
      checks.push(ok('Coolify reachable', where));
      checks.push(
        fail(
          'Coolify API enabled',
          message,
          'in Coolify, Settings → Advanced → API Access: turn it on (self-hosted Coolify ships with the API off)',
        ),
      );
      return { checks };
    }
    if (status === 403 && /not allowed to access the API/i.test(message)) {
      checks.push(ok('Coolify reachable', where));
      checks.push(
        fail(
          'Coolify API allows this host',
          message,
          "in Coolify, Settings → Advanced → Allowed IPs: add this host's address (0.0.0.0 allows any)",
        ),
      );
      return { checks };
    }
    if (status === 403 && /Missing required permissions/i.test(message)) {
      checks.push(ok('Coolify reachable and its API enabled', where));
      checks.push(skip('Coolify version', 'needs the read ability'));
    } else {
      checks.push(
        fail(
          'Coolify reachable',
          message,
          'COOLIFY_URL must be the Coolify dashboard URL, e.g. https://coolify.example.com',
        ),
      );
      return { checks };
    }
  }

  checks.push(
    canRead
      ? ok('Token ability read', 'GET /version answered')
      : fail('Token ability read', 'missing: GET /version → 403', TOKEN_FIX),
  );
  checks.push(await sensitiveCheck(client, canRead));
  checks.push(
    await abilityByStatus('write', () => client.deleteProject(PROBE_ID), `DELETE /projects/…`),
  );
  checks.push(
    await abilityByStatus('deploy', () => client.startService(PROBE_ID), `POST /services/…/start`),
  );
  if (!canRead) {
    checks.push(skip('Servers usable and reachable', 'needs the read ability'));
    return { checks };
  }
  return serverChecks(client, config, checks);
}

/**
 * Coolify never refuses a read for lack of `read:sensitive`; it hides fields
 * instead. A service listed without its compose means the ability is missing.
 */
async function sensitiveCheck(client: CoolifyClient, canRead: boolean): Promise<Check> {
  const title = 'Token ability read:sensitive';
  const fix =
    'give the token read:sensitive (or root); its user must be a team admin or owner, or Coolify still hides secrets';
  if (!canRead) return skip(title, 'needs the read ability to check');
  try {
    const services = await client.listServices();
    if (!services.length) {
      return warn(title, 'cannot be verified until Coolify has a service', fix);
    }
    return services.some((s) => s.docker_compose_raw !== undefined)
      ? ok(title, 'GET /services shows compose content')
      : fail(title, 'missing: GET /services hides compose content and env values', fix);
  } catch (err) {
    return fail(title, (err as Error).message, fix);
  }
}

/**
 * A call on an id that cannot exist: Coolify checks the ability before it looks
 * the id up, so 403 "Missing required permissions" means the ability is
 * missing, and a 404 (or 400/422) means it is present. Nothing is changed.
 */
async function abilityByStatus(
  ability: string,
  call: () => Promise<unknown>,
  what: string,
): Promise<Check> {
  const title = `Token ability ${ability}`;
  try {
    await call();
    return ok(title, `${what} accepted`);
  } catch (err) {
    const status = isCoolifyError(err) ? err.status : undefined;
    if (status === 403) return fail(title, `missing: ${(err as Error).message}`, TOKEN_FIX);
    if (status !== undefined && status < 500) return ok(title, `${what} → ${status}, not 403`);
    return fail(title, `cannot tell: ${(err as Error).message}`, 'retry once Coolify answers');
  }
}

async function serverChecks(
  client: CoolifyClient,
  config: Config,
  checks: Check[],
): Promise<{ checks: Check[]; servers?: CoolifyServer[] }> {
  let servers: CoolifyServer[];
  try {
    servers = await client.listServers();
  } catch (err) {
    checks.push(fail('Servers usable and reachable', (err as Error).message, 'retry'));
    return { checks };
  }
  const usable = (s: CoolifyServer) =>
    Boolean(s.is_usable && s.is_reachable && !s.settings?.is_build_server);
  const candidates = servers.filter(usable).map((s) => `${s.uuid} (${s.name})`);
  if (!config.COOLIFY_SERVER_UUIDS.length) {
    checks.push(
      fail(
        'Servers configured',
        'COOLIFY_SERVER_UUIDS is empty',
        candidates.length
          ? `set COOLIFY_SERVER_UUIDS to one or more of: ${candidates.join(', ')}`
          : 'add a server in Coolify (Servers → Add), validate it, then list its uuid in COOLIFY_SERVER_UUIDS',
      ),
    );
  }
  for (const uuid of config.COOLIFY_SERVER_UUIDS) {
    const s = servers.find((x) => x.uuid === uuid);
    const title = `Server ${s ? `${s.name} (${uuid})` : uuid}`;
    if (!s) {
      checks.push(
        fail(
          title,
          'not found in Coolify (or not visible to this token’s team)',
          candidates.length
            ? `fix COOLIFY_SERVER_UUIDS; usable servers: ${candidates.join(', ')}`
            : 'fix COOLIFY_SERVER_UUIDS',
        ),
      );
    } else if (s.settings?.is_build_server) {
      checks.push(fail(title, 'is a build server', 'remove it from COOLIFY_SERVER_UUIDS'));
    } else if (!usable(s)) {
      checks.push(
        fail(
          title,
          `${s.is_reachable ? 'reachable' : 'not reachable'}, ${s.is_usable ? 'usable' : 'not usable'}`,
          'in Coolify, open the server and run "Validate Server"; fix SSH access or Docker until it is reachable and usable',
        ),
      );
    } else {
      checks.push(ok(title, `usable and reachable${s.ip ? `, ${s.ip}` : ''}`));
    }
  }
  return { checks, servers };
}
