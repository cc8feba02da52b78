/**
 * Splits SQL text into statements at top-level semicolons, as the Supabase CLI
 * records a migration's `statements`. Quotes ('…', E'…', "…"), dollar quotes
 * ($tag$…$tag$), line comments and nested block comments are skipped over;
 * `BEGIN ATOMIC … END` bodies are kept whole. Pieces holding only whitespace
 * and comments are dropped.
 */
export function splitSqlStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let meaningful = false;
  let atomicDepth = 0;
  let word = '';
  let prevWord = '';
  const flush = (end: number) => {
    if (meaningful) out.push(sql.slice(start, end).trim());
    start = end + 1;
    meaningful = false;
    atomicDepth = 0;
  };
  const endWord = () => {
    if (!word) return;
    const w = word.toLowerCase();
    if (prevWord === 'begin' && w === 'atomic') atomicDepth++;
    else if (atomicDepth > 0 && w === 'case') atomicDepth++;
    else if (atomicDepth > 0 && w === 'end') atomicDepth--;
    prevWord = w;
    word = '';
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      endWord();
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      endWord();
      i = skipBlockComment(sql, i);
      continue;
    }
    if (c === "'") {
      const escapes = /[eE]/.test(word) && word.length === 1;
      endWord();
      meaningful = true;
      i = skipQuoted(sql, i, "'", escapes);
      continue;
    }
    if (c === '"') {
      endWord();
      meaningful = true;
      i = skipQuoted(sql, i, '"', false);
      continue;
    }
    if (c === '$' && !/[A-Za-z0-9_]/.test(word.slice(-1))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        endWord();
        meaningful = true;
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
        continue;
      }
    }
    if (/[A-Za-z0-9_]/.test(c)) {
      word += c;
      meaningful = true;
      i++;
      continue;
    }
    endWord();
    if (c === ';' && atomicDepth === 0) flush(i);
    else if (!/\s/.test(c)) meaningful = true;
    i++;
  }
  endWord();
  if (meaningful) out.push(sql.slice(start).trim());
  return out;
}

function skipBlockComment(sql: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return i;
}

function skipQuoted(sql: string, at: number, quote: string, backslashEscapes: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return i;
}

/** A literal for any text, dollar-quoted with a tag the text does not contain. */
export function sqlLiteral(text: string | null | undefined): string {
  if (text === null || text === undefined) return 'null';
  let n = 0;
  let tag = '$sp$';
  // The first occurrence of the closing tag must be the one we append.
  while ((text + tag).indexOf(tag) < text.length) tag = `$sp${++n}$`;
  return `${tag}${text}${tag}`;
}

export const sqlTextArray = (items: readonly string[]) =>
  items.length ? `array[${items.map(sqlLiteral).join(', ')}]::text[]` : `'{}'::text[]`;
