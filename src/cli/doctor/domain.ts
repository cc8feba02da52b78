import { promises as dns } from 'node:dns';
import type { Config } from '../../config/config.js';
import type { CoolifyServer } from '../../coolify/schemas.js';
import { newProjectRef } from '../../projects/refs.js';
import { fail, ok, warn, type Check } from './check.js';

/** Names that never resolve in public DNS (RFC 2606, RFC 6761): used by tests and examples. */
const RESERVED = /\.(test|example|invalid|localhost)$|^(test|example|invalid|localhost)$/i;

export const systemLookup = async (host: string): Promise<string[]> =>
  (await dns.lookup(host, { all: true })).map((a) => a.address);

/**
 * The project domain is set and a wildcard record answers for a fresh ref (the
 * same name a new project gets), ideally with one of the servers' addresses.
 */
export async function domainChecks(
  config: Config,
  servers: CoolifyServer[] | undefined,
  lookup: (host: string) => Promise<string[]>,
): Promise<Check[]> {
  const domain = config.SUPAPLANE_PROJECT_DOMAIN;
  if (!domain) {
    return [
      fail(
        'Project domain set',
        'SUPAPLANE_PROJECT_DOMAIN is not set',
        'set it to a domain with a wildcard DNS record, e.g. supabase.example.com with *.supabase.example.com → your Coolify server (docs/operators/dns-and-tls.md)',
      ),
    ];
  }
  const checks = [ok('Project domain set', domain)];
  const host = `${newProjectRef()}.${domain}`;
  if (RESERVED.test(domain)) {
    checks.push(
      warn('Project domain resolves', `${domain} is a reserved name (RFC 6761): DNS not checked`),
    );
    return checks;
  }
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch {
    addresses = []; // ENOTFOUND and friends: reported below
  }
  if (!addresses.length) {
    checks.push(
      fail(
        'Project domain resolves',
        `${host} does not resolve`,
        `add a wildcard DNS record *.${domain} (A/AAAA) pointing at your Coolify server(s); see docs/operators/dns-and-tls.md`,
      ),
    );
    return checks;
  }
  const serverIps = new Set((servers ?? []).map((s) => s.ip).filter(Boolean));
  const matched = addresses.filter((a) => serverIps.has(a));
  if (serverIps.size && !matched.length) {
    checks.push(
      warn(
        'Project domain resolves',
        `${host} → ${addresses.join(', ')}, not one of the servers (${[...serverIps].join(', ')})`,
        'fine behind a proxy or Cloudflare; otherwise point the wildcard record at the server',
      ),
    );
  } else {
    checks.push(ok('Project domain resolves', `${host} → ${addresses.join(', ')}`));
  }
  return checks;
}
