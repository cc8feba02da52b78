// A process that logs through Supaplane's default destination (synchronous
// stdout) and then ends as `argv[2]` says; test/log-flush.test.ts counts its lines.
import { createLogger } from '../../src/log.js';

const [how, count] = process.argv.slice(2);
const log = createLogger('info');
for (let i = 0; i < Number(count); i++) log.info({ i }, 'line');

switch (how) {
  case 'exit':
    process.exit(0);
    break;
  case 'crash':
    // A handler that throws: an uncaught exception ends the process.
    setTimeout(() => {
      throw new Error('crash');
    }, 0);
    break;
  case 'rejection':
    setTimeout(() => void Promise.reject(new Error('crash')), 0);
    break;
  case 'sigterm':
    // As main.ts does: SIGTERM drains, then exits.
    process.on('SIGTERM', () => process.exit(0));
    process.stderr.write('ready\n');
    setInterval(() => {}, 1_000);
    break;
  case 'idle':
    // Stays up: the few lines must appear without an exit to flush them.
    setTimeout(() => process.exit(0), 10_000);
    break;
}
