/** A route the app serves, as `METHOD /path/:param`. */
export interface ServedRoute {
  method: string;
  path: string;
}

/**
 * Every concrete route of a Hono app (its `routes`, minus middleware and wildcard
 * proxies), plus samples standing for the wildcard proxies' paths; each once.
 */
export function servedRoutes(
  routes: readonly { method: string; path: string }[],
  samples: readonly string[],
): ServedRoute[] {
  const seen = new Set<string>(samples);
  for (const r of routes) {
    if (r.method === 'ALL' || r.path.includes('*')) continue;
    seen.add(`${r.method} ${r.path}`);
  }
  return [...seen].map((s) => {
    const [method, path] = s.split(' ') as [string, string];
    return { method, path };
  });
}

/** A route template with its `:ref` and `:slug` filled, and any other parameter as `x0`. */
export const fillPath = (path: string, ids: { ref: string; slug: string }) =>
  path
    .replace(':ref', ids.ref)
    .replace(':slug', ids.slug)
    .replace(/:[a-z_]+/g, 'x0');
