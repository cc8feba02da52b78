import { Hono } from 'hono';
import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { MatchCache } from '../../src/http/match-cache.js';

describe('MatchCache', () => {
  it('answers exactly as the router it wraps, params included, for repeated paths', async () => {
    const app = new Hono({ router: new MatchCache(new TrieRouter()) });
    const seen: string[] = [];
    app.use('/projects/:ref/*', async (c, next) => {
      seen.push(`guard:${c.req.param('ref')}`);
      await next();
    });
    app.get('/projects/available-regions', (c) => c.text('regions'));
    app.get('/projects/:ref', (c) => c.text(`project ${c.req.param('ref')}`));
    app.get('/projects/:ref/status', (c) => c.text(`status ${c.req.param('ref')}`));
    for (let round = 0; round < 2; round++) {
      expect(await (await app.request('/projects/aaa')).text()).toBe('project aaa');
      expect(await (await app.request('/projects/bbb')).text()).toBe('project bbb');
      expect(await (await app.request('/projects/bbb/status')).text()).toBe('status bbb');
      expect(await (await app.request('/projects/available-regions')).text()).toBe('regions');
    }
    expect(seen.filter((s) => s === 'guard:bbb')).toHaveLength(4);
  });

  it('keeps at most maxEntries answers', () => {
    const router = new MatchCache<string>(new TrieRouter(), 3);
    router.add('GET', '/p/:id', 'p');
    for (let i = 0; i < 10; i++) expect(router.match('GET', `/p/${i}`)[0][0]![0]).toBe('p');
    expect(router.size).toBe(3);
  });
});
