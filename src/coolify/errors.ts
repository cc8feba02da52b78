/**
 * A failed Coolify call. `retryable` decides whether the job runner backs off
 * and tries again or gives up and records the message on the project.
 */
export class CoolifyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly endpoint?: string,
    /** Coolify's JSON error body, for callers that act on its details (e.g. 409 conflicts). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CoolifyError';
  }
}

export function isCoolifyError(err: unknown): err is CoolifyError {
  return err instanceof CoolifyError;
}

/** Reads Retry-After as seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
