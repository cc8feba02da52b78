import { dashboardSigningKey } from '../../src/auth/keys.js';
import { parseConfig } from '../../src/config/config.js';
import type { Deps } from '../../src/context.js';
import { CoolifyClient } from '../../src/coolify/client.js';
import { keyringFromBase64 } from '../../src/crypto/envelope.js';
import type { Database } from '../../src/db/client.js';
import { createLogger } from '../../src/log.js';
import { CoolifyProvisioner } from '../../src/provisioner/coolify-driver.js';
import type { CoolifySim } from '../../test/coolify-sim/index.js';

export const BENCH_KEY = Buffer.alloc(32, 9).toString('base64');

/** Deps as runtime.ts builds them, against a bench database and the Coolify simulator. */
export function benchDeps(
  url: string,
  database: Database,
  sim: CoolifySim,
  env: Record<string, string> = {},
): Deps {
  const config = parseConfig({
    DATABASE_URL: url,
    SUPAPLANE_ENCRYPTION_KEY: BENCH_KEY,
    COOLIFY_URL: sim.url,
    COOLIFY_TOKEN: sim.token,
    COOLIFY_SERVER_UUIDS: sim.state.servers.map((s) => s.uuid).join(','),
    SUPAPLANE_PROJECT_DOMAIN: 'bench.test',
    SUPAPLANE_GATEWAY_URL: sim.gatewayUrlTemplate,
    ...env,
  });
  const keyring = keyringFromBase64(BENCH_KEY);
  const client = new CoolifyClient({
    baseUrl: sim.url,
    token: sim.token,
    timeoutMs: config.COOLIFY_TIMEOUT_MS,
    requestsPerMinute: config.COOLIFY_RATE_LIMIT_PER_MINUTE,
  });
  return {
    db: database.db,
    config,
    keyring,
    authKey: dashboardSigningKey(keyring),
    log: createLogger('silent'),
    provisioner: new CoolifyProvisioner(client),
  };
}
