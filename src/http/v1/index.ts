import type { MiddlewareHandler } from 'hono';
import type { Deps } from '../../context.js';
import { newRouter, type AppEnv, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { idempotency } from '../middleware/idempotency.js';
import { openApiRoutes } from '../openapi.js';
import { platformAccessTokenRoutes } from '../platform/access-tokens.js';
import { v1ApiKeyRoutes } from './api-keys.js';
import { v1BackupRoutes } from './backups.js';
import { v1DatabaseRoutes } from './database.js';
import { v1FunctionRoutes } from './functions.js';
import { v1OrganizationRoutes } from './organizations.js';
import { v1ProjectKeysAndBranchesRoutes } from './project-keys-and-branches.js';
import { v1PoolerRoutes } from './pooler.js';
import { v1ProjectRoutes } from './projects.js';
import { v1SecretRoutes } from './secrets.js';
import { v1SettingsRoutes } from './settings.js';
import { v1UpgradeRoutes } from './upgrades.js';

/**
 * The Supabase Management API (`/v1`), Studio's access-token page, and the
 * OpenAPI document with its interactive reference. Endpoints of the Management
 * API that are not here answer 404 with a message (the app's notFound).
 */
export function mountManagementApi(
  root: Router,
  deps: Deps,
  rateLimit: MiddlewareHandler<AppEnv>,
): void {
  const v1 = newRouter();
  v1.use('*', requireAuth(deps));
  v1.use('*', rateLimit);
  v1.use('*', idempotency());
  v1OrganizationRoutes(deps, v1);
  v1ProjectRoutes(deps, v1);
  v1ApiKeyRoutes(deps, v1);
  v1DatabaseRoutes(deps, v1);
  v1PoolerRoutes(deps, v1);
  v1BackupRoutes(deps, v1);
  v1SecretRoutes(deps, v1);
  v1FunctionRoutes(deps, v1);
  v1ProjectKeysAndBranchesRoutes(deps, v1);
  v1SettingsRoutes(deps, v1);
  v1UpgradeRoutes(deps, v1);
  root.route('/v1', v1);
  root.route('/platform/profile/access-tokens', platformAccessTokenRoutes(deps));
  openApiRoutes(root, deps.config);
}
