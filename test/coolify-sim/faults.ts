// Fault injection and the per-token sliding-window rate limiter.
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

/** Laravel's throttle answers with X-RateLimit-* on every response and Retry-After on 429. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly limit: number) {}

  hit(key: string): RateDecision {
    const at = Date.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > at - 60_000);
    this.hits.set(key, recent);
    if (recent.length >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((recent[0]! + 60_000 - at) / 1000));
      return { ok: false, limit: this.limit, remaining: 0, retryAfter };
    }
    recent.push(at);
    return { ok: true, limit: this.limit, remaining: this.limit - recent.length, retryAfter: 0 };
  }
}
