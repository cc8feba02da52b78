import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../src/coolify/rate-limiter.js';
import { parseRetryAfter } from '../src/coolify/errors.js';
import { backoffDelay } from '../src/jobs/backoff.js';

describe('backoff', () => {
  const policy = { baseMs: 100, maxMs: 1000 };
  it('grows exponentially, jittered, capped', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});

describe('Retry-After', () => {
  it('reads seconds and dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('sliding window limiter', () => {
  it('never lets more than the limit through in one window', async () => {
    const limiter = new SlidingWindowLimiter(5, 200);
    const times: number[] = [];
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.acquire().then(() => times.push(Date.now() - start)),
      ),
    );
    times.sort((a, b) => a - b);
    for (let i = 5; i < times.length; i++)
      expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(195);
  });

  it('pauses everyone after a 429', async () => {
    const limiter = new SlidingWindowLimiter(100, 1000);
    limiter.pauseFor(150);
    const t0 = Date.now();
    await limiter.acquire();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
