import { afterEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../coolify-sim/faults.js';
import { startCoolifySim, type CoolifySim } from '../coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { spawnWorker } from '../support/worker-process.js';
import { fileURLToPath } from 'node:url';

const CALLER = fileURLToPath(new URL('../support/coolify-caller.ts', import.meta.url));
let sim: CoolifySim | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  await sim?.close();
});

// RouteServiceProvider.php:47-53@379abb25: Limit::perMinute(200)->by(user id ?: ip).
describe('R3: the Coolify budget is per Coolify user, shared by every process (RouteServiceProvider.php:47-53@379abb25)', () => {
  it('the simulator limits per user in Laravel fixed windows, not per token', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    expect(limiter.hit('u').ok).toBe(true);
    now = 30_000;
    expect(limiter.hit('u').ok).toBe(true);
    const refused = limiter.hit('u');
    expect(refused).toMatchObject({ ok: false, retryAfter: 30 }); // the window opened at 0
    now = 60_000; // a fresh window, whatever was sent at 30 s
    expect(limiter.hit('u')).toMatchObject({ ok: true, remaining: 1 });
    expect(limiter.hit('other user').ok).toBe(true);
  });

  it('two processes on one database, a 200/min budget, 300 calls between them: zero 429s', async () => {
    sim = await startCoolifySim({ rateLimitPerMinute: 200 });
    db = await freshDatabase();
    const env = {
      DATABASE_URL: db.url,
      COOLIFY_URL: sim.url,
      COOLIFY_TOKEN: sim.token,
      COOLIFY_RATE_LIMIT_PER_MINUTE: '200',
      COOLIFY_CALLS: '150',
    };
    const started = performance.now();
    const callers = [spawnWorker(env, CALLER), spawnWorker(env, CALLER)];
    const outputs = await Promise.all(callers.map((c) => c.output));
    console.log(
      `300 calls under one 200/min budget: ${Math.round(performance.now() - started)} ms`,
    );
    for (const out of outputs) expect(JSON.parse(out)).toEqual({ 200: 150 });
    expect(sim.calls.filter((c) => c.status === 429)).toHaveLength(0);
    expect(sim.calls.filter((c) => c.status === 200)).toHaveLength(300);
  }, 180_000);
});
