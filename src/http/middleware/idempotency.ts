import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError, invalid } from '../../errors.js';
import { answerHeader } from '../answer-headers.js';
import type { AppEnv } from '../env.js';

interface Stored {
  fingerprint: string;
  expires: number;
  response: Promise<{ status: number; contentType: string | null; body: ArrayBuffer } | undefined>;
}

export interface IdempotencyOptions {
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * `Idempotency-Key` on POST: the first response (below 500) to a key is replayed
 * for the same token, path and body; the same key with another body is a 409.
 * Requests racing on one key wait for the first. Kept in memory for an hour:
 * creates that must survive a restart (projects, migrations) also pass the key
 * to their service, which records it durably.
 */
export function idempotency(options: IdempotencyOptions = {}): MiddlewareHandler<AppEnv> {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const store = new Map<string, Stored>();
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255)
      throw invalid('Idempotency-Key must be 1–255 characters');
    const body = await c.req.raw.clone().arrayBuffer();
    const hash = (...parts: (string | ArrayBuffer)[]) => {
      const h = createHash('sha256');
      for (const p of parts) h.update(typeof p === 'string' ? p : Buffer.from(p)).update('\0');
      return h.digest('base64url');
    };
    const slot = hash(c.req.header('authorization') ?? '', c.req.path, key);
    const fingerprint = hash(c.req.url, body);
    const now = Date.now();
    const existing = store.get(slot);
    if (existing && existing.expires > now) {
      if (existing.fingerprint !== fingerprint) {
        throw new AppError(
          'conflict',
          'This Idempotency-Key was already used for a different request',
        );
      }
      const saved = await existing.response;
      if (saved) {
        answerHeader(c, 'Idempotent-Replayed', 'true');
        return c.body(
          saved.body,
          saved.status as 200,
          saved.contentType ? { 'content-type': saved.contentType } : {},
        );
      }
    }
    let settle!: (v: Awaited<Stored['response']>) => void;
    const entry: Stored = {
      fingerprint,
      expires: now + ttlMs,
      response: new Promise((r) => (settle = r)),
    };
    store.set(slot, entry);
    if (store.size > maxEntries) store.delete(store.keys().next().value as string);
    try {
      await next();
    } finally {
      const res = c.res;
      if (res && res.status < 500) {
        const copy = await res.clone().arrayBuffer();
        settle({ status: res.status, contentType: res.headers.get('content-type'), body: copy });
      } else {
        store.delete(slot); // a failure may be retried for real
        settle(undefined);
      }
    }
  };
}
