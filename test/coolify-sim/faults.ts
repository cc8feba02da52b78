// Fault injection and Coolify's per-user fixed-window rate limiter.
import type { Fault } from './types.js';

interface ActiveFault extends Fault {
  remaining: number;
  segments: string[];
}

const isParam = (seg: string) => seg.startsWith(':') || seg.startsWith('{') || seg === '*';

export class FaultRegistry {
  private faults: ActiveFault[] = [];

  add(fault: Fault): void {
    const path = fault.path.replace(/^\/api\/v1(?=\/)/, '');
    const remaining = fault.times ?? 1;
    if (remaining <= 0) return;
    this.faults.push({ ...fault, remaining, segments: path.split('/').slice(1) });
  }

  clear(): void {
    this.faults = [];
  }

  /**
   * A parameter segment in the fault (`:uuid`, `{uuid}`, `*`) matches a parameter of the route
   * template; a literal segment matches the template literal or the concrete path value, so
   * `/services/<one-uuid>/start` targets a single service.
   */
  take(method: string, template: string, path: string, after: boolean): Fault | null {
    const tpl = template.split('/').slice(1);
    const parts = path.split('/').slice(1);
    const found = this.faults.find((f) => {
      if ((f.after ?? false) !== after) return false;
      if (f.method && f.method.toUpperCase() !== method) return false;
      if (f.segments.length !== tpl.length) return false;
      return f.segments.every((seg, i) => {
        const t = tpl[i]!;
        if (isParam(seg)) return isParam(t);
        return seg === t || (isParam(t) && seg === parts[i]);
      });
    });
    if (!found) return null;
    found.remaining -= 1;
    if (found.remaining <= 0) this.faults = this.faults.filter((f) => f !== found);
    return found;
  }
}

export interface RateDecision {
  ok: boolean;
  limit: number;
  remaining: number;
  retryAfter: number;
}

/**
 * Coolify's `api` limiter: Limit::perMinute(API_RATE_LIMIT, default 200)->by(user id ?: ip)
 * (app/Providers/RouteServiceProvider.php:47-53, config/api.php@379abb25), applied by the
 * `api` middleware group (app/Http/Kernel.php:83-87@379abb25): one budget per Coolify user,
 * shared by all of that user's tokens. Laravel's RateLimiter is a fixed window that opens at
 * the first hit and lasts 60 s; a refused request does not count. Its throttle answers with
 * X-RateLimit-* on every response and Retry-After (seconds left in the window) on 429.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { opened: number; hits: number }>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  hit(user: string): RateDecision {
    const at = this.now();
    let w = this.windows.get(user);
    if (!w || at >= w.opened + 60_000) this.windows.set(user, (w = { opened: at, hits: 0 }));
    if (w.hits >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.opened + 60_000 - at) / 1000));
      return { ok: false, limit: this.limit, remaining: 0, retryAfter };
    }
    w.hits += 1;
    return { ok: true, limit: this.limit, remaining: this.limit - w.hits, retryAfter: 0 };
  }
}
