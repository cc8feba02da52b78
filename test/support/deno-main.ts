import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const DENO = path.resolve(import.meta.dirname, '../../node_modules/.bin/deno');

export interface DenoMain {
  child: ChildProcess;
  base: string;
  output: string[];
}

export interface DenoMainOptions {
  /** The template's `main` service code, written to a file. */
  entry: string;
  /** Its own home: deno's cache lives under it. */
  dir: string;
  /** The port the preload makes Deno.serve bind (Edge Runtime binds its own). */
  port: number;
  /** Stands in for Edge Runtime's globals (`EdgeRuntime.userWorkers`), which deno lacks. */
  preload: string;
  /** The container's env as the compose renders it. */
  env: Record<string, string>;
  allowRead?: string[];
  allowWrite?: string[];
}

/**
 * A template's functions `main` under the real deno from npm, network limited to
 * loopback, until it answers `/_internal/health` (the template's healthcheck path).
 */
export async function startDenoMain(o: DenoMainOptions): Promise<DenoMain> {
  const child = spawn(
    DENO,
    [
      'run',
      '--quiet',
      '--no-prompt',
      '--allow-env',
      '--allow-net=127.0.0.1',
      ...(o.allowRead ? [`--allow-read=${o.allowRead.join(',')}`] : []),
      ...(o.allowWrite ? [`--allow-write=${o.allowWrite.join(',')}`] : []),
      '--preload',
      o.preload,
      o.entry,
    ],
    {
      env: {
        ...o.env,
        PATH: process.env.PATH!,
        HOME: o.dir,
        DENO_DIR: path.join(o.dir, 'deno'),
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  const main = { child, base: `http://127.0.0.1:${o.port}`, output };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${main.base}/_internal/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return main;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stopDenoMain(main);
      throw new Error(output.join(''));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const stopDenoMain = (m: DenoMain) =>
  new Promise<void>((resolve) => {
    if (m.child.exitCode !== null) return resolve();
    m.child.once('exit', () => resolve());
    m.child.kill('SIGKILL');
  });
