import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startServer, type ServerProcess } from './server-process.js';

/**
 * Machine instructions a server executes per answer, counted by valgrind's
 * callgrind. Unlike req/s or CPU time, the count does not depend on what else
 * the shared machine runs (it is the same at load average 0 and 20, give or take
 * JIT and GC timing), so it compares Supaplane with the ceiling however busy the
 * machine is. valgrind runs the server ~50× slower: counts are taken over a few
 * thousand requests after a warm-up long enough for V8 to optimize the hot path.
 */
export interface CountedServer {
  url: string;
  /**
   * The main thread's instructions per answer over `requests` GETs of `path`,
   * after `warmup` uncounted ones (3× `requests` unless given: with 2,000 of warm-up a
   * fresh process still spent about half of a project read's count in V8's compilers).
   */
  perAnswer(
    path: string,
    headers: Record<string, string>,
    requests: number,
    warmup?: number,
  ): Promise<Counted>;
  stop(): Promise<void>;
}

export interface Counted {
  instructions: number;
  answered: number;
  errors: number;
}

export function valgrindAvailable(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startCounted(
  args: string[],
  env: Record<string, string>,
  readyPath: string,
  stdoutFile?: string,
): Promise<CountedServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-callgrind-'));
  const server: ServerProcess = await startServer(args, env, readyPath, {
    stdoutFile,
    readyTimeoutMs: 600_000,
    wrapper: [
      'valgrind',
      '--tool=callgrind',
      '--quiet',
      // V8 writes and rewrites machine code at run time.
      '--smc-check=all-non-file',
      // Only totals are read: no per-instruction or per-jump detail to slow it further.
      '--dump-instr=no',
      '--collect-jumps=no',
      // A file per thread, so that only the main thread is read (see dump).
      '--separate-threads=yes',
      `--callgrind-out-file=${dir}/out`,
    ],
  });
  const pid = String(server.child.pid);
  /**
   * Dumps the counts since the previous dump (callgrind zeroes them) and reads the main
   * thread's total (its file ends in -01). V8's compiler threads made half of an
   * all-threads count or more, and when they ran moved it: with other work on the machine
   * the project detail with logs off counted 178k against the ceiling's 189k, less than a
   * server doing strictly less. The main thread is where a request's own work runs.
   */
  const dump = (): number => {
    const before = new Set(readdirSync(dir));
    execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    const file = readdirSync(dir).find(
      (f) => !before.has(f) && f.startsWith('out.') && f.endsWith('-01'),
    );
    if (!file)
      throw new Error(`callgrind wrote no main-thread dump: ${readdirSync(dir).join(' ')}`);
    const text = readFileSync(path.join(dir, file), 'utf8');
    const total = /^(?:summary|totals): (\d+)/m.exec(text);
    if (!total) throw new Error('callgrind dump without totals');
    return Number(total[1]);
  };
  const run = async (url: string, headers: Record<string, string>, amount: number) => {
    const r = await autocannon({ url, connections: 4, amount, headers, timeout: 60 });
    return {
      answered: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
      errors: r.errors + r.timeouts + r.non2xx,
    };
  };
  return {
    url: server.url,
    async perAnswer(p, headers, requests, warmup = requests * 3) {
      // Warm-up: V8 tiers up by invocation counts, so this many requests reach the same code.
      await run(server.url + p, headers, warmup);
      dump();
      const r = await run(server.url + p, headers, requests);
      return { instructions: dump() / r.answered, ...r };
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
