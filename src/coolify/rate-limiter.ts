/** What the Coolify client asks before each call, and tells after a 429. */
export interface RequestBudget {
  acquire(): Promise<void>;
  pauseFor(ms: number): void;
}

/**
 * Keeps this process under a request budget with a sliding window, and pauses every
 * caller when Coolify answers 429. Coolify's limit is per Coolify user, so several
 * processes share one budget through SharedWindowBudget (shared-budget.ts) instead.
 */
export class SlidingWindowLimiter implements RequestBudget {
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when one more request may be sent; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.chain.then(() => this.waitForSlot());
    this.chain = turn.catch(() => {});
    return turn;
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.sent.length && this.sent[0]! <= now - this.windowMs) this.sent.shift();
      const waitPause = this.pausedUntil - now;
      const waitWindow = this.sent.length >= this.limit ? this.sent[0]! + this.windowMs - now : 0;
      const wait = Math.max(waitPause, waitWindow);
      if (wait <= 0) {
        this.sent.push(now);
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
