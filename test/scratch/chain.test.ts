import { it } from 'vitest';
import { createApp } from '../../src/app.js';
import { startHarness } from '../support/harness.js';
it('prints chains', async () => {
  const h = await startHarness({ readCache: true });
  const app = createApp(h.deps);
  for (const p of [
    '/platform/projects/abcdefghijabcdefghij',
    '/platform/organizations/some-org/projects',
  ]) {
    const [handlers] = app.router.match('GET', p) as unknown as [
      [[unknown, { path: string; method: string; handler: { name: string } }], unknown][],
    ];
    console.log(
      p,
      handlers.length,
      handlers.map(([[, r]]) => `${r.method} ${r.path} ${r.handler.name}`).join('\n  '),
    );
  }
  await h.close();
}, 60_000);
