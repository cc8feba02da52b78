import type { Deps } from '../../context.js';
import type { Router } from '../env.js';

/**
 * Every transport route, by prefix. Studio calls /platform/** and /v1/** on one
 * origin (it strips /platform from its API URL), and signs in at /auth/v1.
 */
export function mountRoutes(root: Router, _deps: Deps): void {
  void root;
}
