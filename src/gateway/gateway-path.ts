import { invalid } from '../errors.js';

/**
 * The one guard for every value that becomes part of a path on a project's gateway
 * (pg-meta, GoTrue admin, storage, PostgREST). Dot segments are refused in every form
 * someone along the way might resolve: fetch() applies WHATWG URL parsing, which treats
 * `.`, `..`, `%2e` and `.%2e` as dot segments and strips tabs and newlines; Kong and the
 * upstreams decode once more. So a value is decoded repeatedly (double-encoded
 * `%252e%252e` included) and split on both slashes and backslashes at every stage.
 */

/** More nested encodings than this are refused outright: no legitimate name needs them. */
const MAX_DECODES = 4;

// Byte-wise so that malformed UTF-8 (which decodeURIComponent throws on) still decodes.
const decodeOnce = (s: string) =>
  s.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Whether `value`, or any decoding of it, has a `.` or `..` segment. */
export function hasDotSegment(value: string): boolean {
  let form = value;
  for (let round = 0; round <= MAX_DECODES; round++) {
    const stripped = form.replace(/[\t\n\r]/g, '');
    if (stripped.split(/[/\\]/).some((s) => s === '.' || s === '..')) return true;
    const next = decodeOnce(stripped);
    if (next === stripped) return false;
    form = next;
  }
  return true;
}

const dotRefusal = (what: string) =>
  invalid(`Invalid ${what}: "." and ".." segments (in any encoding) are not allowed`);

/** One path segment (a bucket, user or factor id), encoded; dot segments refused. */
export function pathSegment(value: string, what: string): string {
  if (hasDotSegment(value)) throw dotRefusal(what);
  return encodeURIComponent(value);
}

/** A storage object key: `a/b c.png` → `a/b%20c.png`, each segment encoded, slashes kept. */
export function objectPath(value: string, what = 'path'): string {
  if (hasDotSegment(value)) throw dotRefusal(what);
  return value.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
}

/** Refuses a storage object key that has dot segments (keys sent in JSON bodies). */
export function checkObjectKey(value: string, what: string): string {
  if (hasDotSegment(value)) throw dotRefusal(what);
  return value;
}

/**
 * `baseUrl + path`, once checked to resolve under `baseUrl`'s own path followed by
 * `scope` (e.g. `/storage/v1/object/media/`), on the same origin. `path` is already
 * percent-encoded; the check holds for path-template gateway URLs (`http://gw/{ref}`)
 * too, so no request leaves the project's prefix.
 */
export function gatewayUrl(baseUrl: string, path: string, scope: string): string {
  if (hasDotSegment(path)) throw dotRefusal('path');
  const base = new URL(baseUrl);
  const url = new URL(baseUrl + path);
  const root = base.pathname.replace(/\/+$/, '') + scope;
  if (url.origin !== base.origin || !url.pathname.startsWith(root)) {
    throw invalid(`Invalid path: it must stay under ${scope}`);
  }
  return url.href;
}
