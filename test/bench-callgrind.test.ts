import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCounted, valgrindAvailable } from '../bench/lib/callgrind.js';

// The instruction counts of `npm run bench` (bench/instructions.ts), on the ceiling
// alone and few requests: a count is taken, is per answer, and grows with the work done.
describe.skipIf(!valgrindAvailable())('callgrind instruction counts (bench)', () => {
  it('counts instructions per answer of a server under callgrind', async () => {
    const body = path.join(tmpdir(), `bench-callgrind-${process.pid}.json`);
    writeFileSync(body, JSON.stringify({ hello: 'world' }));
    const server = await startCounted(
      ['--import', 'tsx', 'bench/lib/bare-server.ts'],
      { BARE_BODY_FILE: body },
      '/',
    );
    try {
      const few = await server.perAnswer('/', {}, 50);
      expect(few.answered).toBe(50);
      expect(few.errors).toBe(0);
      // Node's HTTP stack alone runs tens of thousands of instructions per answer.
      expect(few.instructions).toBeGreaterThan(10_000);
      expect(few.instructions).toBeLessThan(50_000_000);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
