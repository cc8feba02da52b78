import type { Session } from './session.js';
import { UsageError, type CliIo } from './io.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type Values = Record<string, string | boolean | undefined>;

export interface CommandContext {
  io: CliIo;
  values: Values;
  positionals: string[];
  /** Opens the runtime on first use; main closes it after the command. */
  session(): Promise<Session>;
  /** Aborted on Ctrl-C, so a waiting command can stop cleanly. */
  signal: AbortSignal;
}

export interface Command {
  /** The words that select it, e.g. `projects create`. */
  name: string;
  usage: string;
  summary: string;
  options?: OptionSpec;
  run(ctx: CommandContext): Promise<number>;
}

export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

export function stringOption(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requirePositional(ctx: CommandContext, index: number, what: string): string {
  const v = ctx.positionals[index];
  if (!v) throw new UsageError(`missing ${what}`);
  return v;
}

/** `--timeout <seconds>` as milliseconds, or the fallback. */
export function timeoutOption(values: Values, fallbackMs: number): number {
  const raw = stringOption(values, 'timeout');
  if (raw === undefined) return fallbackMs;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError('--timeout must be a number of seconds');
  return seconds * 1000;
}
