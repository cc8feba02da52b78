// A process that makes COOLIFY_CALLS calls to Coolify through the budget shared in Postgres,
// as every Supaplane process does (src/runtime.ts), and prints how they were answered.
import { CoolifyClient } from '../../src/coolify/client.js';
import { isCoolifyError } from '../../src/coolify/errors.js';
import { SharedWindowBudget } from '../../src/coolify/shared-budget.js';
import { connect } from '../../src/db/client.js';

const env = process.env as Record<string, string>;
const database = connect(env.DATABASE_URL!, { max: 4 });
const limit = Number(env.COOLIFY_RATE_LIMIT_PER_MINUTE);
const client = new CoolifyClient({
  baseUrl: env.COOLIFY_URL!,
  token: env.COOLIFY_TOKEN!,
  timeoutMs: 10_000,
  requestsPerMinute: limit,
  budget: new SharedWindowBudget(database.db, env.COOLIFY_URL!, limit),
});
process.stdout.write('ready\n');
const statuses: Record<string, number> = {};
let next = 0;
const total = Number(env.COOLIFY_CALLS);
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < total) {
      next++;
      const status = await client.version().then(
        () => 200,
        (err: unknown) => (isCoolifyError(err) ? (err.status ?? 'error') : 'error'),
      );
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
process.stdout.write(`${JSON.stringify(statuses)}\n`);
await database.close();
