import type { Database } from '../../src/db/client.js';
import { keyringFromBase64 } from '../../src/crypto/envelope.js';
import { generateProjectSecrets } from '../../src/secrets/generate.js';
import { saveProjectSecrets } from '../../src/secrets/store.js';
import type { CoolifySim } from '../../test/coolify-sim/index.js';
import { BENCH_KEY } from './deps.js';

/** A seeded project whose stack the bench stops and starts in the simulator. */
interface Flippable {
  serviceUuid: string;
  running: boolean;
}

/**
 * Gives `refs` real project secrets, with the JWT secret in their simulated
 * stack's env, so the reconciler's gateway probe passes when they run again
 * (test/coolify-sim/gateway.ts checks the anon key against it). Seeded projects
 * otherwise have no secrets, and a stopped one could never come back.
 */
export async function makeFlippable(
  database: Database,
  sim: CoolifySim,
  refs: string[],
): Promise<Flippable[]> {
  const keyring = keyringFromBase64(BENCH_KEY);
  const rows = await database.sql<{ id: string; uuid: string; version: string }[]>`
    select id, coolify_service_uuid as uuid, template_version as version
    from projects where ref = any(${refs}::text[])`;
  const out: Flippable[] = [];
  for (const row of rows) {
    const secrets = await generateProjectSecrets(row.version);
    await saveProjectSecrets(database.db, keyring, Number(row.id), secrets);
    const at = new Date().toISOString();
    sim.state.services.get(row.uuid)!.envs.set('JWT_SECRET', {
      uuid: `bench-${row.id}`,
      key: 'JWT_SECRET',
      value: secrets.JWT_SECRET,
      comment: null,
      is_literal: true,
      is_multiline: false,
      is_shown_once: false,
      is_preview: false,
      is_runtime: true,
      is_buildtime: false,
      is_required: false,
      created_at: at,
      updated_at: at,
    });
    out.push({ serviceUuid: row.uuid, running: true });
  }
  return out;
}

export interface ChurnTarget {
  sim: CoolifySim;
  flippable: Flippable[];
  /** Supaplane's URL and a signed-in owner's headers, for the create. */
  url: string;
  headers: Record<string, string>;
  slug: string;
}

/**
 * What Studio polls through while it reads: every `everyMs` one project's stack
 * stops or starts in Coolify (the server's reconciler, ticking every second,
 * moves it ACTIVE_HEALTHY ⇄ INACTIVE, probing the gateway on the way up), and
 * one project create is in flight (Studio's POST, then the create job's Coolify
 * calls and status changes). Returns a function that stops the flipping.
 */
export async function startChurn(t: ChurnTarget, everyMs = 500): Promise<() => void> {
  const created = await fetch(`${t.url}/platform/projects`, {
    method: 'POST',
    headers: { ...t.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `churn ${Date.now()}`, organization_slug: t.slug }),
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  await created.body?.cancel();
  let next = 0;
  const timer = setInterval(() => {
    const f = t.flippable[next++ % t.flippable.length]!;
    f.running = !f.running;
    t.sim.setStatus(f.serviceUuid, f.running ? 'running:healthy' : 'exited');
  }, everyMs);
  return () => clearInterval(timer);
}
