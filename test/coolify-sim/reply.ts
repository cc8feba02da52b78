// Response values produced by route handlers; the HTTP layer turns them into bytes.

export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function message(status: number, text: string): Reply {
  return json(status, { message: text });
}

export function html(status: number, body: string): Reply {
  return { status, text: body, contentType: 'text/html; charset=UTF-8' };
}

/** Laravel catch-all at the end of routes/api.php (unknown path or method). */
export const NOT_FOUND_ROUTE: Reply = json(404, {
  message: 'Not found.',
  docs: 'https://coolify.io/docs',
});

/** Uncaught exception with APP_DEBUG off. */
export const SERVER_ERROR: Reply = message(500, 'Server Error');

export type ErrorBag = Record<string, string[]>;

/** 422 whose `errors` is whatever shape the PHP code builds (map of lists, map of strings, list). */
export function validationFailed(errors: unknown): Reply {
  return json(422, { message: 'Validation failed.', errors });
}

export function addError(bag: ErrorBag, field: string, text: string): void {
  const list = (bag[field] ??= []);
  if (!list.includes(text)) list.push(text);
}
