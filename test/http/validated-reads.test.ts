import { createRoute, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { newRouter } from '../../src/http/env.js';
import { errorHandler } from '../../src/http/errors.js';
import { capturedLogger } from '../support/log-capture.js';

const thing = createRoute({
  method: 'get',
  path: '/things/{ref}',
  request: {
    params: z.object({ ref: z.string().regex(/^[a-z]{3}$/, 'must be three letters') }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(10).default(5),
      tags: z
        .string()
        .optional()
        .transform((v) => (v ?? '').split(',').filter(Boolean)),
    }),
  },
  responses: { 200: { description: 'ok' } },
});

function app() {
  const router = newRouter();
  router.onError(errorHandler(capturedLogger('warn').log));
  let parsed = 0;
  router.openapi(thing, (c) => {
    parsed++;
    return c.json({ param: c.req.valid('param'), query: c.req.valid('query') }, 200);
  });
  router.openapi({ ...thing, path: '/mutating/{ref}' }, (c) => {
    const q = c.req.valid('query');
    q.tags.push('added'); // shared between requests: must not be possible
    return c.json(q, 200);
  });
  return { router, handled: () => parsed };
}

describe('GET input validated once per URL (src/http/validated-reads.ts)', () => {
  it('gives each request the same validated input as the first, and each URL its own', async () => {
    const { router, handled } = app();
    const first = await router.request('/things/abc?limit=3&tags=x,y');
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body).toEqual({ param: { ref: 'abc' }, query: { limit: 3, tags: ['x', 'y'] } });
    for (let i = 0; i < 3; i++)
      expect(await (await router.request('/things/abc?limit=3&tags=x,y')).json()).toEqual(body);
    expect(await (await router.request('/things/abd')).json()).toEqual({
      param: { ref: 'abd' },
      query: { limit: 5, tags: [] },
    });
    expect(handled()).toBe(5);
  });

  it('refuses bad input every time, with the same 400 and message', async () => {
    const { router, handled } = app();
    for (const url of ['/things/abcd', '/things/abc?limit=11', '/things/abc?tags=a%00b']) {
      for (let i = 0; i < 2; i++) {
        const res = await router.request(url);
        expect(res.status, url).toBe(400);
        expect(((await res.json()) as { message: string }).message, url).toMatch(
          /^Invalid request: /,
        );
      }
    }
    // Query first, as @hono/zod-openapi orders its validators.
    const both = (await (await router.request('/things/abcd?limit=0')).json()) as {
      message: string;
    };
    expect(both.message).toMatch(/^Invalid request: limit: /);
    expect(handled()).toBe(0);
  });

  it('shares the input frozen: a handler cannot change what the next request gets', async () => {
    const { router } = app();
    expect((await router.request('/mutating/abc?tags=x')).status).toBe(500);
    expect((await router.request('/mutating/abc?tags=x')).status).toBe(500);
  });

  it('still documents the parameters in the OpenAPI document', () => {
    const { router } = app();
    const doc = router.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
    });
    const params = doc.paths!['/things/{ref}']!.get!.parameters as Array<{
      name: string;
      in: string;
    }>;
    expect(params.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      'path:ref',
      'query:limit',
      'query:tags',
    ]);
  });
});
