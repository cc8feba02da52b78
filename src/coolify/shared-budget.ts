import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { SlidingWindowLimiter, type RequestBudget } from './rate-limiter.js';

// 60 s as Coolify counts, plus 1 s for calls admitted here but still on their way there.
const WINDOW_SECONDS = 61;

/**
 * Coolify's limit (200/min by default) is per Coolify user (RouteServiceProvider.php:47-53
 * @379abb25), so every Supaplane process on one database draws on one budget: a sliding
 * window of admitted calls in Postgres, by the database's clock. Any 60 s then holds at most
 * `limit` calls, whatever 60 s Laravel's fixed window (opened at its first hit) happens to be.
 * A 429 pauses every process. If the database cannot be asked, calls fall back to this
 * process's own window rather than fail.
 */
export class SharedWindowBudget implements RequestBudget {
  private readonly waiting: (() => void)[] = [];
  private pumping = false;
  private readonly local: SlidingWindowLimiter;

  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly limit: number,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    this.local = new SlidingWindowLimiter(limit);
  }

  /** Resolves when one more call may be sent; this process's callers are served in order. */
  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      void this.pump();
    });
  }

  pauseFor(ms: number): void {
    this.local.pauseFor(ms);
    this.db
      .execute(
        sql`insert into coolify_budget (key, paused_until)
            values (${this.key}, now() + make_interval(secs => ${ms / 1000}))
            on conflict (key) do update set paused_until =
              greatest(coalesce(coolify_budget.paused_until, now()), excluded.paused_until)`,
      )
      .catch((err: Error) => this.onError(err));
  }

  /** Admits the waiting callers in batches: one transaction serves all that fit. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.length) {
        let result: { admitted: number; waitMs: number };
        try {
          result = await this.admit(this.waiting.length);
        } catch (err) {
          this.onError(err as Error);
          for (const resolve of this.waiting.splice(0)) void this.local.acquire().then(resolve);
          return;
        }
        for (const resolve of this.waiting.splice(0, result.admitted)) resolve();
        if (this.waiting.length && result.admitted === 0)
          await new Promise((r) => setTimeout(r, Math.min(Math.max(result.waitMs, 1), 5_000)));
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Admits up to `want` calls now; when none fit, says how long until one may. */
  private async admit(want: number): Promise<{ admitted: number; waitMs: number }> {
    const window = sql`make_interval(secs => ${WINDOW_SECONDS})`;
    return this.db.transaction(async (tx) => {
      // Admissions of all processes take turns; the next statement sees what they admitted.
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`coolify-budget:${this.key}`}, 0))`,
      );
      const [row] = (await tx.execute(sql`
        with gone as (
          delete from coolify_budget_calls where key = ${this.key} and sent_at <= now() - ${window}
        ), w as (
          select count(*)::int as n, min(sent_at) as first from coolify_budget_calls
          where key = ${this.key} and sent_at > now() - ${window}
        ), pause as (
          select greatest(0, extract(epoch from paused_until - now()) * 1000)::float8 as ms
          from coolify_budget where key = ${this.key}
        ), admitted as (
          insert into coolify_budget_calls (key)
          select ${this.key} from generate_series(1, greatest(0, least(${want}::int, ${this.limit}::int - (select n from w))))
          where coalesce((select ms from pause), 0) = 0
          returning 1
        )
        select (select count(*) from admitted)::int as admitted,
          greatest(coalesce((select ms from pause), 0),
            coalesce(extract(epoch from (select first from w) + ${window} - now()) * 1000, 0))::float8 as wait_ms`)) as unknown as {
        admitted: number;
        wait_ms: number;
      }[];
      return { admitted: row?.admitted ?? 0, waitMs: Number(row?.wait_ms ?? 1) };
    });
  }
}
