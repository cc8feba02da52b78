/**
 * Postgres text and jsonb cannot hold NUL characters, and a lone UTF-16 surrogate has
 * no UTF-8 encoding: either in a bound parameter makes the query fail, which answered
 * 500 and logged every parameter (security audit 18.5). Every validated request value
 * is checked here first, so such input is a 400 naming the field.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `s` cannot be stored as text, if it cannot. */
function badText(s: string): string | undefined {
  if (s.includes('\0')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (a lone surrogate was sent)';
  return undefined;
}

/** The first string (value or key) in `value` that cannot be stored, with its path. */
export function findBadText(value: unknown): { path: string; why: string } | undefined {
  const stack: Array<{ v: unknown; path: string[] }> = [{ v: value, path: [] }];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const why = badText(v);
      if (why) return { path: path.join('.'), why };
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const why = badText(k);
        if (why) return { path: [...path, k.replace(/\0/g, '\\0')].join('.'), why: `key ${why}` };
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
  return undefined;
}
