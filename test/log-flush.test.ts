import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { turnBatched } from '../src/log.js';

const CHILD = 'test/support/log-flush-child.ts';

interface Run {
  lines: number;
  /** ms from start until the first line arrived. */
  firstLineMs: number;
  code: number | null;
}

/** Runs the child with stdout on a pipe, as Docker or a log shipper reads it. */
function run(how: string, count: number, onStderr?: (text: string, kill: () => void) => void) {
  return new Promise<Run>((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, how, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    let firstLineMs = NaN;
    child.stdout.on('data', (chunk: Buffer) => {
      if (Number.isNaN(firstLineMs)) firstLineMs = performance.now() - t0;
      text += chunk.toString();
      if (how === 'idle' && text.split('\n').length > count) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) =>
      onStderr?.(chunk.toString(), () => child.kill('SIGTERM')),
    );
    child.on('close', (code) => {
      const lines = text.split('\n').filter((l) => l.includes('"msg":"line"'));
      // Every line whole and in order: batching must not tear or reorder lines.
      lines.forEach((l, i) => expect((JSON.parse(l) as { i: number }).i).toBe(i));
      resolve({ lines: lines.length, firstLineMs, code });
    });
  });
}

// 5,000 lines (about 500 KB): a destination that batched or wrote asynchronously
// would still hold some of them when the process ends.
describe('request logs reach stdout whole and in order', () => {
  it('on process.exit', async () => {
    const r = await run('exit', 5_000);
    expect(r).toMatchObject({ lines: 5_000, code: 0 });
  });

  it('when an uncaught exception crashes the process', async () => {
    const r = await run('crash', 5_000);
    expect(r).toMatchObject({ lines: 5_000, code: 1 });
  });

  it('when an unhandled rejection crashes the process', async () => {
    const r = await run('rejection', 5_000);
    expect(r).toMatchObject({ lines: 5_000, code: 1 });
  });

  it('on SIGTERM, which main.ts answers with process.exit', async () => {
    const r = await run('sigterm', 5_000, (text, kill) => {
      if (text.includes('ready')) kill();
    });
    expect(r).toMatchObject({ lines: 5_000, code: 0 });
  });

  it('while the process is quiet: a few lines appear within the flush interval', async () => {
    const r = await run('idle', 3);
    expect(r.lines).toBe(3);
    // Killed as soon as the lines arrived, long before the child's own exit at 10 s.
    expect(r.code).toBe(null);
  });
});

describe('turnBatched', () => {
  it('writes the lines of one event-loop turn with one write, in order, as the turn ends', async () => {
    const writes: string[] = [];
    const out = turnBatched({ write: (chunk: string) => writes.push(chunk) });
    // Many lines, with characters of 1 to 4 UTF-8 bytes.
    const lines = Array.from({ length: 3000 }, (_, i) => `${i} é 名 🙂 ${'x'.repeat(i % 50)}\n`);
    for (const line of lines) out.write(line);
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([lines.join('')]);
    out.write('next turn\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe('next turn\n');
  });
});
