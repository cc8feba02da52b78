import { parseConfig } from '../config/config.js';
import { createLogger } from '../log.js';
import { reconcileOptions, startReconciler } from '../reconciler/reconcile.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { withRunningEmbedded } from './database.js';
import type { CliIo } from './io.js';

export interface Session {
  runtime: Runtime;
  /**
   * Runs the job runner and reconcile ticks in this process until `stop`, so a
   * lifecycle command finishes its own work (see docs/cli.md, "Live progress").
   */
  startWorkers(): void;
  close(): Promise<void>;
}

/** How often the CLI reconciles while it waits: often enough for live progress. */
const CLI_RECONCILE_MS = 2000;

/**
 * The same dependency graph the server builds (runtime.ts), without the HTTP
 * server; jobs and reconcile ticks run only when a command asks for them.
 */
export async function openSession(io: CliIo, options: { verbose: boolean }): Promise<Session> {
  // Logs go to stderr as JSON, and only errors unless --verbose: stdout is the command's output.
  const log = createLogger(options.verbose ? 'info' : 'error', {
    write: (s: string) => void io.stderr.write(s),
  });
  const config = withRunningEmbedded(parseConfig(io.env), (msg) => log.warn(msg));
  const runtime = await startRuntime(config, log);
  let reconciler: { stop(): Promise<void> } | undefined;
  return {
    runtime,
    startWorkers() {
      runtime.runner.start();
      if (reconciler) return;
      const started = startReconciler(
        runtime.deps,
        Math.min(config.SUPAPLANE_RECONCILE_INTERVAL_MS, CLI_RECONCILE_MS),
        reconcileOptions(config),
      );
      runtime.deps.wakeReconciler = started.poke;
      reconciler = started;
    },
    async close() {
      await reconciler?.stop();
      await runtime.stop();
    },
  };
}
