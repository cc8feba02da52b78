import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { isCoolifyError } from '../coolify/errors.js';
import { AppError } from '../errors.js';
import { GLOBAL_OPTIONS, type Command, type CommandContext, type Values } from './command.js';
import { accountCommands } from './commands/accounts.js';
import { functionCommands } from './commands/functions.js';
import { backupCommands } from './commands/backups.js';
import { keysRotate } from './commands/keys-rotate.js';
import { projectCommands } from './commands/projects.js';
import { doctor } from './doctor/index.js';
import { EXIT, processIo, UsageError, type CliIo } from './io.js';
import { openSession, type Session } from './session.js';

export const COMMANDS: Command[] = [
  doctor,
  ...projectCommands,
  ...functionCommands,
  ...backupCommands,
  ...accountCommands,
  keysRotate,
];

function usage(io: CliIo, out: CliIo['stdout'] = io.stdout): void {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  out.write(
    [
      'Usage: supaplane <command> [options]',
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      'Options for every command: --json (machine-readable output), --verbose (logs on stderr), --help',
      'Configuration comes from the same environment as the server (see .env.example).',
      '',
    ].join('\n'),
  );
}

/** The longest command name that the arguments start with (`projects create` before `projects`). */
function findCommand(argv: string[]): { command?: Command; rest: string[] } {
  const words = argv.filter((a) => !a.startsWith('-'));
  for (const n of [2, 1]) {
    const name = words.slice(0, n).join(' ');
    const command = COMMANDS.find((c) => c.name === name);
    if (command) {
      const rest = [...argv];
      for (const w of name.split(' ')) rest.splice(rest.indexOf(w), 1);
      return { command, rest };
    }
  }
  return { rest: argv };
}

/**
 * Runs one command and returns its exit code. The same function runs from the
 * `supaplane` bin and in tests (with buffers for stdout/stderr).
 */
export async function runCli(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { command, rest } = findCommand(argv);
  if (!command) {
    if (argv.length && !argv.includes('--help') && !argv.includes('-h')) {
      io.stderr.write(`Unknown command: ${argv.join(' ')}\n\n`);
      usage(io, io.stderr);
      return EXIT.usage;
    }
    usage(io);
    return argv.length ? EXIT.ok : EXIT.usage;
  }
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\nUsage: supaplane ${command.usage}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(`Usage: supaplane ${command.usage}\n\n${command.summary}\n`);
    return EXIT.ok;
  }
  let session: Session | undefined;
  let opening: Promise<Session> | undefined;
  const ctx: CommandContext = {
    io,
    values,
    positionals,
    signal: signal ?? new AbortController().signal,
    session: () =>
      (opening ??= openSession(io, { verbose: Boolean(values.verbose) })).then(
        (s) => (session = s),
      ),
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\nUsage: supaplane ${command.usage}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`✘ ${describe(err)}\n`);
    return EXIT.failed;
  } finally {
    await session?.close();
  }
}

function describe(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (err instanceof AppError || isCoolifyError(err)) return err.message;
  return (err as Error)?.stack ?? String(err);
}

/** Entry point for bin/supaplane.mjs: wires Ctrl-C to a clean stop and exits with the code. */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort();
  });
  process.on('SIGTERM', () => controller.abort());
  const code = await runCli(process.argv.slice(2), processIo(), controller.signal);
  // Open handles (pools, timers) must not keep a finished command alive.
  process.exit(code);
}
