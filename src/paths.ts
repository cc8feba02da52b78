import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, drizzle/ and coolify-templates/ live),
 * found by walking up from this module. The same code then works from src/
 * under tsx and from the dist/ bundle that `npm start` runs.
 */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the Supaplane package root');
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const fromRoot = (...segments: string[]) => path.join(PACKAGE_ROOT, ...segments);
