/**
 * Failed sign-in throttling, per (account, client address) and per client address.
 *
 * The counters live in this process's memory: with several Supaplane processes
 * behind a load balancer each one counts on its own, so the effective limit is
 * multiplied by the number of processes, and a restart forgets every counter.
 * That is an accepted trade-off: scrypt already makes each guess expensive, and
 * the limits exist to stop a guessing run, not to account for every attempt.
 */

/** Counts events per key over a sliding window of `windowMs`. */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Bounds memory when someone sprays many keys (addresses, emails). */
    private readonly maxKeys = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` is below its limit again; 0 when it is below now. */
  waitMs(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.limit) return 0;
    // The oldest hit that keeps the count at the limit must leave the window.
    return recent[recent.length - this.limit]! + this.windowMs - this.now();
  }

  record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.hits.delete(key); // re-insert so Map order tracks recency for eviction
    this.hits.set(key, recent);
    if (this.hits.size > this.maxKeys) {
      const oldest = this.hits.keys().next().value;
      if (oldest !== undefined) this.hits.delete(oldest);
    }
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Takes back the most recent hit, e.g. an attempt that turned out to succeed. */
  forgetLatest(key: string): void {
    const recent = this.recent(key);
    recent.pop();
    if (recent.length > 0) this.hits.set(key, recent);
    else this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.hits.delete(key);
    return list;
  }
}

export interface LoginRateLimitOptions {
  /** Failed attempts on one account from one address before backoff starts. */
  freeFailures: number;
  /** The first delay after those; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts allowed per client address within the window (covers many accounts). */
  perAddress: number;
  /** Failures older than this are forgotten. */
  windowMs: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimitOptions = {
  freeFailures: 5,
  // Long enough that the next guess waits even when scrypt is slow under load.
  baseDelayMs: 5000,
  maxDelayMs: 15 * 60_000,
  perAddress: 50,
  windowMs: 15 * 60_000,
};

export interface LoginAttempt {
  /** Normalized email. */
  email: string;
  /** Client address, or `unknown`. */
  address: string;
}

/**
 * Throttles guessing without locking the owner out: failures are counted per
 * (account, client address), each past the first few doubling the wait for that pair
 * only, so someone else failing on an account never blocks its owner signing in from
 * their own address. A per-address limit bounds one client spraying many accounts.
 */
export class LoginRateLimiter {
  private readonly pairs = new Map<string, { failures: number; lastAt: number }>();
  private readonly addresses: SlidingWindowCounter;
  private readonly now: () => number;

  constructor(
    private readonly options: LoginRateLimitOptions = DEFAULT_LOGIN_RATE_LIMIT,
    private readonly maxKeys = 50_000,
  ) {
    this.now = options.now ?? Date.now;
    this.addresses = new SlidingWindowCounter(
      options.perAddress,
      options.windowMs,
      maxKeys,
      this.now,
    );
  }

  /** Whole seconds the caller must wait before trying again; 0 when it may try now. */
  retryAfterSeconds(attempt: LoginAttempt): number {
    const ms = Math.max(this.pairWaitMs(attempt), this.addresses.waitMs(attempt.address));
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /**
   * Counts an attempt as a failure before its password is checked, so a burst of
   * parallel guesses cannot all slip in while the first ones are still hashing.
   */
  recordAttempt(attempt: LoginAttempt): void {
    const key = pairKey(attempt);
    const pair = this.livePair(key) ?? { failures: 0, lastAt: 0 };
    pair.failures += 1;
    pair.lastAt = this.now();
    this.pairs.delete(key); // re-insert so Map order tracks recency for eviction
    this.pairs.set(key, pair);
    if (this.pairs.size > this.maxKeys) {
      const oldest = this.pairs.keys().next().value;
      if (oldest !== undefined) this.pairs.delete(oldest);
    }
    this.addresses.record(attempt.address);
  }

  /** A correct password clears the pair's failures and takes back the address's count. */
  recordSuccess(attempt: LoginAttempt): void {
    this.pairs.delete(pairKey(attempt));
    this.addresses.forgetLatest(attempt.address);
  }

  private pairWaitMs(attempt: LoginAttempt): number {
    const pair = this.livePair(pairKey(attempt));
    const { freeFailures, baseDelayMs, maxDelayMs } = this.options;
    if (!pair || pair.failures < freeFailures) return 0;
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (pair.failures - freeFailures));
    return Math.max(0, pair.lastAt + delay - this.now());
  }

  private livePair(key: string) {
    const pair = this.pairs.get(key);
    if (pair && this.now() - pair.lastAt > this.options.windowMs) {
      this.pairs.delete(key);
      return undefined;
    }
    return pair;
  }
}

const pairKey = (a: LoginAttempt) => `${a.address}\u0000${a.email}`;
