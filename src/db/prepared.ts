import type { Db } from './client.js';

/**
 * A query built once per database handle and reused. For the lookups that run on
 * every request, building a drizzle query costs more than the indexed lookup itself.
 */
export const prepared = <T>(build: (db: Db) => T) => {
  const cache = new WeakMap<Db, T>();
  return (db: Db): T => {
    let q = cache.get(db);
    if (!q) cache.set(db, (q = build(db)));
    return q;
  };
};
