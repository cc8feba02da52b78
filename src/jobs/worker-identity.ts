import { randomUUID } from 'node:crypto';
import postgres from 'postgres';

export interface WorkerIdentity {
  /** `<identity>/<boot>`: stable per host (or SUPAPLANE_WORKER_ID), new at every start. */
  workerId: string;
  /** Leases of an earlier, dead run of this identity that were released at once. */
  released: number;
  close(): Promise<void>;
}

/**
 * Claims this process's worker identity for as long as it runs: a session advisory lock on
 * a connection of its own, which Postgres drops when the process dies (its socket closes).
 * Holding it proves every other run of the identity is dead, so the jobs they held are
 * released now instead of when their lease runs out. Another live process with the same
 * identity keeps the lock; its jobs are then left to their leases.
 */
export async function claimWorkerIdentity(
  url: string,
  identity: string,
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): Promise<WorkerIdentity> {
  const workerId = `${identity}/${randomUUID().slice(0, 8)}`;
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  // A killed predecessor's backend may take a moment to notice its socket closed.
  let held = false;
  for (const deadline = Date.now() + 1000; !held && Date.now() < deadline;) {
    const [row] = await sql<{ ok: boolean }[]>`
      select pg_try_advisory_lock(hashtextextended(${`supaplane-worker:${identity}`}, 0)) as ok`;
    held = Boolean(row?.ok);
    if (!held) await new Promise((r) => setTimeout(r, 200));
  }
  if (!held) {
    await sql.end({ timeout: 5 });
    log.warn(
      { identity },
      'another live process has this worker identity; its jobs keep their leases',
    );
    return { workerId, released: 0, close: async () => {} };
  }
  const rows = await sql`
    update jobs set locked_until = now()
    where state = 'running' and locked_by <> ${workerId}
      and left(locked_by, ${identity.length + 1}) = ${`${identity}/`}
    returning id`;
  if (rows.length)
    log.info({ identity, jobs: rows.length }, 'released the jobs of a dead run of this worker');
  return { workerId, released: rows.length, close: () => sql.end({ timeout: 5 }) };
}
