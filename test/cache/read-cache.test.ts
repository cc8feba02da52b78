import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../src/cache/read-cache.js';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ReadCache', () => {
  it('serves a stored value without loading again, until its organization changes', async () => {
    const cache = new ReadCache(60_000);
    let loads = 0;
    const load = async () => ({ org: 1, n: ++loads });
    expect(await cache.get('a', load, (v) => v.org)).toEqual({ org: 1, n: 1 });
    expect(await cache.get('a', load, (v) => v.org)).toEqual({ org: 1, n: 1 });
    cache.invalidateOrganization(2);
    expect(await cache.get('a', load, (v) => v.org)).toEqual({ org: 1, n: 1 });
    cache.invalidateOrganization(1);
    expect(await cache.get('a', load, (v) => v.org)).toEqual({ org: 1, n: 2 });
  });

  it('peek gives a stored value without waiting, and nothing once it is invalidated or expired', async () => {
    const cache = new ReadCache(60_000);
    expect(cache.peek('a')).toBeUndefined();
    const pending = cache.get(
      'a',
      async () => ({ org: 1 }),
      (v) => v.org,
    );
    expect(cache.peek('a')).toBeUndefined(); // a load in flight is not a value yet
    await pending;
    expect(cache.peek('a')).toEqual({ org: 1 });
    cache.invalidateOrganization(1);
    expect(cache.peek('a')).toBeUndefined();
    const short = new ReadCache(1);
    await short.get(
      'b',
      async () => ({ org: 1 }),
      (v) => v.org,
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(short.peek('b')).toBeUndefined();
  });

  it('shares one load between concurrent misses', async () => {
    const cache = new ReadCache(60_000);
    const gate = deferred<number>();
    let loads = 0;
    const load = () => (loads++, gate.promise);
    const both = Promise.all([cache.get('k', load, () => 1), cache.get('k', load, () => 1)]);
    gate.resolve(7);
    expect(await both).toEqual([7, 7]);
    expect(loads).toBe(1);
  });

  it('does not store a value loaded before an invalidation, and does not hand it to later readers', async () => {
    const cache = new ReadCache(60_000);
    const stale = deferred<string>();
    const first = cache.get(
      'k',
      () => stale.promise,
      () => 1,
    );
    // A write lands while the first read is still in the database.
    cache.invalidateOrganization(1);
    const second = cache.get(
      'k',
      async () => 'fresh',
      () => 1,
    );
    stale.resolve('stale');
    expect(await first).toBe('stale');
    expect(await second).toBe('fresh');
    expect(
      await cache.get(
        'k',
        async () => 'reloaded',
        () => 1,
      ),
    ).toBe('fresh');
  });

  it('never stores a value without an organization (not found), nor a failed load', async () => {
    const cache = new ReadCache(60_000);
    await cache.get(
      'missing',
      async () => undefined,
      () => undefined,
    );
    await expect(
      cache.get(
        'bad',
        () => Promise.reject(new Error('db down')),
        () => 1,
      ),
    ).rejects.toThrow('db down');
    expect(cache.size).toBe(0);
    expect(
      await cache.get(
        'bad',
        async () => 'ok',
        () => 1,
      ),
    ).toBe('ok');
  });

  it('lets entries expire after maxAgeMs', async () => {
    const cache = new ReadCache(20);
    let n = 0;
    await cache.get(
      'k',
      async () => ++n,
      () => 1,
    );
    await new Promise((r) => setTimeout(r, 40));
    expect(
      await cache.get(
        'k',
        async () => ++n,
        () => 1,
      ),
    ).toBe(2);
  });

  it('drops the oldest entries when their weight passes the bound', async () => {
    const cache = new ReadCache(60_000, 10);
    await cache.get(
      'a',
      async () => 'a',
      () => 1,
      () => 4,
    );
    await cache.get(
      'b',
      async () => 'b',
      () => 2,
      () => 4,
    );
    await cache.get(
      'c',
      async () => 'c',
      () => 1,
      () => 4,
    );
    expect(cache.size).toBe(2);
    expect(
      await cache.get(
        'a',
        async () => 'a again',
        () => 1,
      ),
    ).toBe('a again');
    // Heavier than the whole bound: served, never stored.
    await cache.get(
      'huge',
      async () => 'huge',
      () => 1,
      () => 11,
    );
    expect(
      await cache.get(
        'huge',
        async () => 'loaded',
        () => 1,
      ),
    ).toBe('loaded');
  });
});
