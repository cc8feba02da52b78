import { describe, expect, it } from 'vitest';
import {
  cachedSession,
  checkSession,
  forgetSessions,
  type LiveSession,
} from '../src/auth/session-cache.js';

const live: LiveSession = { email: 'a@example.com', hasFactor: false };

/** A lookup the test answers when it wants, counting its calls. */
function deferredLookup() {
  let calls = 0;
  let answer!: (s: LiveSession | undefined) => void;
  const lookup = () => {
    calls++;
    return new Promise<LiveSession | undefined>((resolve) => (answer = resolve));
  };
  return { lookup, calls: () => calls, answer: (s: LiveSession | undefined) => answer(s) };
}

describe('checkSession', () => {
  it('shares one database lookup between the checks of one session that overlap', async () => {
    const d = deferredLookup();
    const checks = Array.from({ length: 64 }, () => checkSession('s1', 'u1', d.lookup));
    d.answer(live);
    expect(await Promise.all(checks)).toEqual(Array(64).fill(live));
    expect(d.calls()).toBe(1);
    expect(cachedSession('s1', 'u1')).toEqual(live);
    // Another user's claim on the same session id is its own check.
    const other = deferredLookup();
    const theirs = checkSession('s1', 'u2', other.lookup);
    other.answer(undefined);
    expect(await theirs).toBeUndefined();
    expect(other.calls()).toBe(1);
    forgetSessions(['s1']);
  });

  it('does not remember or share a lookup that a revocation overtook', async () => {
    const d = deferredLookup();
    const before = checkSession('s2', 'u1', d.lookup);
    forgetSessions(['s2']);
    const after = deferredLookup();
    const again = checkSession('s2', 'u1', after.lookup);
    expect(after.calls()).toBe(1); // not served by the lookup that began before the revocation
    d.answer(live);
    await before;
    expect(cachedSession('s2', 'u1')).toBeUndefined();
    after.answer(undefined);
    expect(await again).toBeUndefined();
    expect(cachedSession('s2', 'u1')).toBeUndefined();
  });

  it('lets the next check look again after a failed lookup', async () => {
    await expect(checkSession('s3', 'u1', () => Promise.reject(new Error('down')))).rejects.toThrow(
      'down',
    );
    const d = deferredLookup();
    const next = checkSession('s3', 'u1', d.lookup);
    d.answer(live);
    expect(await next).toEqual(live);
    forgetSessions(['s3']);
  });
});
