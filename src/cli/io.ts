/** Where the CLI reads and writes: the process, or a test's buffers. */
export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin?: AsyncIterable<string | Buffer>;
  env: NodeJS.ProcessEnv;
  /** Resolves a host name to addresses (doctor's DNS check); tests replace it. */
  lookup?: (host: string) => Promise<string[]>;
  /** How often live progress re-reads the project (default 500 ms). */
  pollMs?: number;
}

/** Exit codes: 0 done, 1 failed, 2 bad usage, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

export class UsageError extends Error {}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export const line = (io: CliIo, text = '') => io.stdout.write(`${text}\n`);

export const json = (io: CliIo, value: unknown) =>
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** A plain aligned table; empty cells print as `-`. */
export function table(io: CliIo, header: string[], rows: (string | number | null)[][]): void {
  const cells = [
    header,
    ...rows.map((r) => r.map((c) => (c === null || c === '' ? '-' : String(c)))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells)
    line(
      io,
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

export async function readAll(stream: AsyncIterable<string | Buffer> | undefined): Promise<string> {
  if (!stream) return '';
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}
