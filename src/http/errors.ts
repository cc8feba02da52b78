import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type ErrorCode } from '../errors.js';
import { describeError, type Logger } from '../log.js';
import { flushAnswerHeaders } from './answer-headers.js';
import type { AppEnv } from './env.js';

/** The one place error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  rate_limited: 429,
  upstream_unavailable: 503,
  internal: 500,
};

/**
 * Studio shows `msg ?? message` and overwrites a top-level `code`, so the body
 * carries `message`, and the machine-readable code goes in `error`.
 */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context<AppEnv>) => {
    flushAnswerHeaders(c);
    if (err instanceof AppError) {
      return c.json(
        { message: err.message, error: err.code, ...(err.details ? { details: err.details } : {}) },
        STATUS[err.code],
      );
    }
    if (err instanceof HTTPException) {
      return c.json({ message: err.message || 'Request failed', error: 'http' }, err.status);
    }
    log.error(describeError(err), 'unhandled error');
    return c.json({ message: 'Internal error', error: 'internal' }, 500);
  };
}
