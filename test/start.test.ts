import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.js';
import { waitFor } from './support/harness.js';

const root = path.resolve(import.meta.dirname, '..');
mkdirSync(path.join(root, '.test-data'), { recursive: true });
const dataDir = mkdtempSync(path.join(root, '.test-data', 'start-'));
// mkdtemp makes it 0700; as root, embedded Postgres runs as the `postgres` user and must traverse it.
chmodSync(dataDir, 0o755);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `npm start` as a newcomer runs it: no environment beyond PATH and HOME. */
function npmStart(env: Record<string, string>) {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the test can press Ctrl-C the way a terminal does.
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

describe('npm start', () => {
  it('exits non-zero naming PORT when PORT=abc', async () => {
    const run = npmStart({ PORT: 'abc', SUPAPLANE_DATA_DIR: dataDir });
    expect(await run.exit).not.toBe(0);
    expect(run.output()).toMatch(/PORT/);
  });

  it('serves /health on the embedded Postgres with no other configuration', async () => {
    const port = await freePort();
    const run = npmStart({ PORT: String(port), SUPAPLANE_DATA_DIR: dataDir });
    try {
      const res = await waitFor(
        () => fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined),
        60_000,
        `/health (output so far: ${run.output()})`,
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      const ready = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/ready`);
          return r.status === 200 ? r : undefined;
        },
        30_000,
        '/ready',
      );
      expect(((await ready.json()) as { checks: unknown }).checks).toEqual({
        database: true,
        workers: true,
      });
      // The generated key is private to this user.
      expect(statSync(path.join(dataDir, 'encryption.key')).mode & 0o077).toBe(0);
      expect(run.output()).toMatch(/SUPAPLANE_ENCRYPTION_KEY is not set/);
    } finally {
      process.kill(-run.child.pid!, 'SIGINT');
      await run.exit;
      await waitFor(async () => !isRunning(dataDir), 15_000, 'embedded Postgres to stop');
      expect(run.output()).toMatch(/shutting down/);
    }
  });
});

/** Whether a postgres process still serves this data dir (it must stop with Supaplane). */
function isRunning(dir: string): boolean {
  return spawnSync('pgrep', ['-f', `${dir}/pg`]).status === 0;
}
