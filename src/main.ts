import { createApp } from './app.js';
import { ConfigError, parseConfig } from './config/config.js';
import { serveHttp } from './http/server.js';
import { createLogger } from './log.js';
import { reconcileOptions, startReconciler } from './reconciler/reconcile.js';
import { startBackupSchedule } from './backups/schedule.js';
import { startRuntime } from './runtime.js';
import { ensureAdmin } from './identity/bootstrap.js';

async function main() {
  let config;
  try {
    config = parseConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const runtime = await startRuntime(config, log);
  await ensureAdmin(runtime.deps);
  runtime.runner.start();
  const reconciler = startReconciler(
    runtime.deps,
    config.SUPAPLANE_RECONCILE_INTERVAL_MS,
    reconcileOptions(config),
  );
  runtime.deps.wakeReconciler = reconciler.poke;
  const backupSchedule = startBackupSchedule(
    runtime.deps,
    config.SUPAPLANE_BACKUP_SCHEDULER_INTERVAL_MS,
  );
  let stopping = false;
  const app = createApp(runtime.deps, {
    workersReady: () => !stopping,
    metrics: runtime.metrics,
  });
  const server = serveHttp(app.fetch, config, (info) =>
    log.info({ port: info.port }, 'Supaplane listening'),
  );

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining jobs');
    server.close();
    await reconciler.stop();
    await backupSchedule.stop();
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // One line with the cause (a rejection may carry no Error at all); the stack only with debug.
  const cause = err instanceof Error ? err.message : String(err ?? 'unknown error');
  process.stderr.write(`Supaplane failed to start: ${cause.replace(/\s*\n\s*/g, ' ')}\n`);
  if (err instanceof Error && process.env.LOG_LEVEL === 'debug')
    process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
