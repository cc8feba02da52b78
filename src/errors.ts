/**
 * The closed set of failures a service may report. Transports map each code to a
 * status in one place (src/http/errors.ts); services never know about HTTP.
 */
export const ERROR_CODES = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'precondition',
  'rate_limited',
  'upstream_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
export const precondition = (message: string) => new AppError('precondition', message);
export const invalid = (message: string, details?: Record<string, unknown>) =>
  new AppError('validation', message, details);
