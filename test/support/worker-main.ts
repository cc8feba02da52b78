// A Supaplane job worker in its own OS process, for tests that need real process
// boundaries: several workers on one database, or a worker killed mid-job.
import { parseConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import type { Provisioner } from '../../src/provisioner/provisioner.js';
import { startRuntime } from '../../src/runtime.js';

/**
 * Kills this process (no cleanup, like a power cut) right after `method` succeeded upstream;
 * `method:N` waits for its Nth call.
 */
function killAfter(provisioner: Provisioner, spec: string): Provisioner {
  const [method, nth = '1'] = spec.split(':');
  let calls = 0;
  return new Proxy(provisioner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (++calls < Number(nth)) return result;
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => {});
      };
    },
  });
}

const crashAfter = process.env.TEST_CRASH_AFTER;
const config = parseConfig(process.env);
const runtime = await startRuntime(config, createLogger('warn', process.stderr as never), {
  wrapProvisioner: crashAfter ? (p) => killAfter(p, crashAfter) : undefined,
});
runtime.runner.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void runtime.stop().then(() => process.exit(0));
});
