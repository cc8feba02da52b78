/**
 * Failed sign-in throttling, per account and per client address.
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
  /** Failed attempts allowed per account within the window. */
  perAccount: number;
  /** Failed attempts allowed per client address within the window (covers many accounts). */
  perAddress: number;
  windowMs: number;
  now?: () => number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimitOptions = {
  perAccount: 10,
  perAddress: 50,
  windowMs: 15 * 60_000,
};

export interface LoginAttempt {
  /** Normalized email. */
  email: string;
  /** Client address, or `unknown`. */
  address: string;
}

export class LoginRateLimiter {
  private readonly accounts: SlidingWindowCounter;
  private readonly addresses: SlidingWindowCounter;

  constructor(options: LoginRateLimitOptions = DEFAULT_LOGIN_RATE_LIMIT) {
    this.accounts = new SlidingWindowCounter(
      options.perAccount,
      options.windowMs,
      undefined,
      options.now,
    );
    this.addresses = new SlidingWindowCounter(
      options.perAddress,
      options.windowMs,
      undefined,
      options.now,
    );
  }

  /** Whole seconds the caller must wait before trying again; 0 when it may try now. */
  retryAfterSeconds(attempt: LoginAttempt): number {
    const ms = Math.max(
      this.accounts.waitMs(attempt.email),
      this.addresses.waitMs(attempt.address),
    );
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /**
   * Counts an attempt before its password is checked, so a burst of parallel
   * guesses cannot all slip in while the first ones are still hashing.
   */
  recordAttempt(attempt: LoginAttempt): void {
    this.accounts.record(attempt.email);
    this.addresses.record(attempt.address);
  }

  /** A correct password clears the account's failures and takes back its own count. */
  recordSuccess(attempt: LoginAttempt): void {
    this.accounts.reset(attempt.email);
    this.addresses.forgetLatest(attempt.address);
  }
}
