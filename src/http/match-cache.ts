import type { Result, Router } from 'hono/router';

/**
 * Remembers the router's answer per method and path. With Studio's routes
 * (`/projects/available-regions` beside `/projects/:ref`, and scope-guard
 * middleware over both) Hono falls back from RegExpRouter to TrieRouter, whose
 * match cost 8 µs for a project path: a tenth of a whole project read. Studio
 * polls the same few paths, so most requests hit. Answers are never mutated by
 * Hono, so they can be shared; the bound keeps random paths from growing it.
 */
export class MatchCache<T> implements Router<T> {
  readonly name: string;
  private readonly results = new Map<string, Result<T>>();

  constructor(
    private readonly router: Router<T>,
    private readonly maxEntries = 2_000,
    private readonly maxPathLength = 512,
  ) {
    this.name = `${router.name}+MatchCache`;
  }

  get size(): number {
    return this.results.size;
  }

  add(method: string, path: string, handler: T): void {
    this.results.clear();
    this.router.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    if (path.length > this.maxPathLength) return this.router.match(method, path);
    const key = `${method} ${path}`;
    let result = this.results.get(key);
    if (!result) {
      result = this.router.match(method, path);
      // Map keeps insertion order: dropping the oldest entry bounds memory.
      if (this.results.size >= this.maxEntries)
        this.results.delete(this.results.keys().next().value!);
      this.results.set(key, result);
    }
    return result;
  }
}
