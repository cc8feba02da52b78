import type { Deps } from '../context.js';
import type { Router } from './env.js';
import { inFlightCap, requestsPerWindow } from './middleware/client-limits.js';
import { mountNoStore } from './middleware/no-store.js';
import { tokenRateLimiter } from './middleware/rate-limit.js';
import { mountScopeGuards } from './middleware/scope-guard.js';
import { functionsDeliveryRoutes } from './functions-delivery.js';
import { platformBackupRoutes } from './platform/backups.js';
import { gotrueRoutes } from './gotrue/index.js';
import { platformContentRoutes } from './platform/content.js';
import { platformIdentityRoutes } from './platform/identity.js';
import { platformMemberRoutes } from './platform/members.js';
import { platformMiscRoutes } from './platform/misc.js';
import { platformOrganizationRoutes } from './platform/organizations.js';
import { platformPlanRoutes } from './platform/plan.js';
import { platformProjectConfigRoutes } from './platform/project-config.js';
import { platformProjectLifecycleRoutes } from './platform/project-lifecycle.js';
import { platformProjectRoutes } from './platform/projects.js';
import { platformProxyRoutes } from './proxy/index.js';
import { mountManagementApi } from './v1/index.js';

/**
 * Every transport route, by prefix. Studio calls /platform/** and /v1/** on one
 * origin (it strips /platform from its API URL), and signs in at /auth/v1.
 */
export function mountRoutes(root: Router, deps: Deps): void {
  const limiter = tokenRateLimiter(deps, {
    perMinute: deps.config.SUPAPLANE_API_RATE_LIMIT_PER_MINUTE,
  });
  // A personal access token has one budget, on /platform/** as on /v1.
  mountScopeGuards(root, deps, limiter.accessTokens);
  mountClientLimits(root, deps);
  mountNoStore(root);
  root.route('/auth/v1', gotrueRoutes(deps));
  root.route('/platform', platformIdentityRoutes(deps));
  root.route('/platform', platformProjectRoutes(deps));
  root.route('/platform', platformProjectLifecycleRoutes(deps));
  root.route('/platform', platformProjectConfigRoutes(deps));
  root.route('/platform', platformBackupRoutes(deps));
  root.route('/platform', platformContentRoutes(deps));
  root.route('/platform', platformMiscRoutes(deps));
  root.route('/platform/organizations', platformOrganizationRoutes(deps));
  root.route('/platform/organizations', platformMemberRoutes(deps));
  root.route('/platform/organizations', platformPlanRoutes(deps));
  root.route('/', platformProxyRoutes(deps));
  root.route('/functions-delivery/v1', functionsDeliveryRoutes(deps));
  mountManagementApi(root, deps, limiter.everyCaller);
}

/** Unauthenticated routes that hash a password: capped per client address. */
function mountClientLimits(root: Router, deps: Deps): void {
  const { config } = deps;
  const cap = inFlightCap(config, config.SUPAPLANE_UNAUTHENTICATED_IN_FLIGHT_PER_CLIENT);
  for (const path of ['/auth/v1/token', '/platform/signup', '/platform/reset-password']) {
    root.post(path, cap);
  }
  const hour = 3600_000;
  root.post('/platform/signup', requestsPerWindow(config, 'sign-up', 10, hour));
  root.post('/platform/reset-password', requestsPerWindow(config, 'password reset', 10, hour));
}
