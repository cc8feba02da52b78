import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { invalid } from '../errors.js';
import { MAX_FILE_BYTES, MAX_FILES, MAX_PATH_LENGTH } from './limits.js';

/** One source or static file of a function, by its path relative to the deploy root. */
export interface FunctionFile {
  name: string;
  content: Buffer;
}

/**
 * A deployed version's files as one text: what is sealed, what the stack downloads,
 * and what its sha256 is of. JSON with base64 contents, so Deno reads it with no
 * library and binary static files survive.
 */
export function encodeBundle(files: readonly FunctionFile[]): string {
  return JSON.stringify({
    files: files.map((f) => ({ name: f.name, content: f.content.toString('base64') })),
  });
}

export function decodeBundle(text: string): FunctionFile[] {
  const parsed = JSON.parse(text) as { files: { name: string; content: string }[] };
  return parsed.files.map((f) => ({ name: f.name, content: Buffer.from(f.content, 'base64') }));
}

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * A path the stack can write under its cache folder and nowhere else: relative,
 * `/`-separated, no `.`/`..` segment, no NUL or backslash. A leading `./` is dropped.
 */
export function normalizePath(raw: string, what: string): string {
  const path = raw.replace(/^(\.\/)+/, '');
  const segments = path.split('/');
  if (
    path.length === 0 ||
    path.length > MAX_PATH_LENGTH ||
    /[\0\\]/.test(path) ||
    segments.some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw invalid(
      `${what} "${raw.slice(0, 80)}" must be a relative path of at most ${MAX_PATH_LENGTH} characters, without "..", "." or empty segments`,
    );
  }
  return path;
}

/** Checks the files of one deploy: count, sizes, paths, no duplicates. */
export function checkFiles(files: readonly FunctionFile[]): FunctionFile[] {
  if (files.length === 0) throw invalid('A deploy needs at least one file');
  if (files.length > MAX_FILES) {
    throw invalid(
      `A function may have at most ${MAX_FILES} files; this deploy has ${files.length}`,
    );
  }
  const seen = new Set<string>();
  return files.map((f) => {
    const name = normalizePath(f.name, 'File name');
    if (seen.has(name)) throw invalid(`File "${name}" is sent twice`);
    seen.add(name);
    if (f.content.length > MAX_FILE_BYTES) {
      throw invalid(`File "${name}" is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    }
    return { name, content: f.content };
  });
}

/**
 * Studio's editor names files relative to the entrypoint's folder, so a function the
 * CLI deployed as `supabase/functions/hello/index.ts` + `supabase/functions/_shared/x.ts`
 * comes back as `index.ts` + `../_shared/x.ts` (formatFunctionBodyToFiles in
 * apps/studio/components/interfaces/EdgeFunctions/EdgeFunctions.utils.ts@0a86aa06 of
 * supabase/supabase). Such a deploy is re-rooted: the sent root becomes a folder named
 * after the slug (one `_<n>` folder per further level up), so every relative import
 * between the files still resolves and no path leaves the function's folder.
 */
export function rerooter(paths: readonly string[], slug: string): (path: string) => string {
  const up = (p: string) => {
    const parts = posix.normalize(p).split('/');
    let n = 0;
    while (parts[n] === '..') n++;
    return n;
  };
  const depth = Math.max(0, ...paths.filter((p) => !p.startsWith('/')).map(up));
  if (depth === 0) return (p) => p;
  const prefix = [...Array.from({ length: depth - 1 }, (_, i) => `_${i + 1}`), slug].join('/');
  return (p) => (p.startsWith('/') ? p : posix.normalize(`${prefix}/${p}`));
}
