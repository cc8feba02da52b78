import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { freePort } from '../../src/db/embedded.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resident set size of the server process, in MB (from /proc). */
  rssMb(): number;
  /** CPU time the process has used so far (user + system, all threads), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /**
   * Where the server's stdout (its log) goes: a file, as a log shipper's pipe
   * or Docker's json-file driver would take it. Discarded when absent.
   */
  stdoutFile?: string;
  /** A command the node process runs under (e.g. valgrind and its options). */
  wrapper?: string[];
  /** How long to wait for `readyPath` (60 s; much longer under valgrind). */
  readyTimeoutMs?: number;
}

/** USER_HZ: /proc reports CPU time in these; 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

/** Starts `node <args>` with PORT set and waits until `readyPath` answers 200. */
export async function startServer(
  args: string[],
  env: Record<string, string>,
  readyPath: string,
  options: StartOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const stdout = options.stdoutFile ? openSync(options.stdoutFile, 'a') : 'ignore';
  const [command, ...rest] = [...(options.wrapper ?? []), process.execPath, ...args];
  const child = spawn(command!, rest, {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', stdout, 'inherit'],
  });
  if (typeof stdout === 'number') closeSync(stdout); // the child holds its own copy
  const exited = new Promise((r) => child.once('exit', r));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    const ok = await fetch(url + readyPath)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`${args.join(' ')} did not become ready`);
    await new Promise((r) => setTimeout(r, options.wrapper ? 500 : 20));
  }
  return {
    url,
    child,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
    },
    cpuMs() {
      // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesized command name.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let built = false;
/**
 * Bundles src/main.ts into dist/main.mjs once per run, exactly as `npm start` does.
 * `BENCH_BUNDLE=<file>` runs another bundle instead (an earlier build kept inside
 * the package, to compare before and after in the same conditions).
 */
export function ensureBuilt(): string {
  if (process.env.BENCH_BUNDLE) return process.env.BENCH_BUNDLE;
  if (!built) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  built = true;
  return 'dist/main.mjs';
}
