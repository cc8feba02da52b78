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
 * calls and status changes). The returned function stops the flipping, deletes
 * the project and waits until it is gone, and resolves to how many requests the
 * churn sent Supaplane (each one logged). The delete comes after the measured
 * window, so that the organization keeps the size it was measured at: otherwise
 * each round would add a project to the page Supaplane serves while the ceiling
 * keeps serving the bytes sampled before the first round (the list of 5 projects
 * had 11 by its last round, twice the bytes).
 */
export async function startChurn(t: ChurnTarget, everyMs = 500): Promise<() => Promise<number>> {
  const created = await fetch(`${t.url}/platform/projects`, {
    method: 'POST',
    headers: { ...t.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `churn ${Date.now()}`, organization_slug: t.slug }),
  });
  if (created.status !== 201) throw new Error(`create answered ${created.status}`);
  const { ref } = (await created.json()) as { ref: string };
  const project = `${t.url}/platform/projects/${ref}`;
  let sent = 1;
  // 409 while the create's job moves the project on ("changed state meanwhile"): ask again.
  const deleteOnce = async (attempt = 1): Promise<void> => {
    sent++;
    const r = await fetch(project, { method: 'DELETE', headers: t.headers });
    await r.body?.cancel();
    if (r.status === 409 && attempt < 50) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return deleteOnce(attempt + 1);
    }
    if (r.status !== 200) throw new Error(`delete answered ${r.status}`);
  };
  let next = 0;
  const timer = setInterval(() => {
    const f = t.flippable[next++ % t.flippable.length]!;
    f.running = !f.running;
    t.sim.setStatus(f.serviceUuid, f.running ? 'running:healthy' : 'exited');
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await deleteOnce();
    for (const deadline = Date.now() + 30_000; ;) {
      sent++;
      const r = await fetch(`${project}/status`, { headers: t.headers });
      await r.body?.cancel();
      if (r.status === 404) return sent;
      if (Date.now() > deadline) throw new Error(`${ref} was not removed within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
}
