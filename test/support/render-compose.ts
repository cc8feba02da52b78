// Compose-style interpolation for tests only: proves that the env Supaplane writes covers
// every variable its template references (moved out of src/, which never needs it).
/**
 * Compose-style substitution of `${NAME}`, `${NAME:-default}`, `${NAME-default}`,
 * `${NAME:?message}` and `${NAME?message}`, to prove in tests that `env` covers the
 * template. `$$` escapes and unbraced `$NAME` are left as written.
 */
export function renderForTest(compose: string, env: Record<string, string>): string {
  const missing = new Set<string>();
  const out = compose.replace(/\$\$|\$\{([^}]*)\}?/g, (whole, expr: string | undefined) => {
    if (expr === undefined) return whole;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])(.*))?$/s.exec(expr);
    if (!whole.endsWith('}') || !m || expr.includes('${')) {
      throw new Error(`Unsupported interpolation: ${whole.slice(0, 60)}`);
    }
    const [, name = '', colon, op, arg = ''] = m;
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    // With the colon, an empty value counts as unset, as in compose.
    const usable = colon ? value !== undefined && value !== '' : value !== undefined;
    if (op === '-') return usable ? (value as string) : arg;
    if (!usable && (op === '?' || value === undefined)) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) {
    throw new Error(`Unresolved variables: ${[...missing].sort().join(', ')}`);
  }
  return out;
}
