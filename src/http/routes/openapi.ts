import { swaggerUI } from '@hono/swagger-ui';
import type { Config } from '../../config/config.js';
import type { Router } from '../env.js';

/**
 * `/openapi.json`: Supaplane's own API, generated from the route schemas at
 * request time (so routes mounted later are included), and `/docs`, an
 * interactive reference over it. Both are public: they describe, not serve.
 */
export function openApiRoutes(root: Router, config: Pick<Config, 'SUPAPLANE_BASE_PATH'>): void {
  const base = config.SUPAPLANE_BASE_PATH;
  root.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'A personal access token (`sbp_…`, from the account page) or a dashboard access token',
  });
  root.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Supaplane API',
      version: '1',
      description:
        'The Supabase Management API (`/v1`) for self-hosted projects on Coolify, and the ' +
        'platform routes Supabase Studio calls. Errors answer `{ message, error }`.',
    },
    servers: [{ url: base || '/' }],
  });
  root.get('/docs', swaggerUI({ url: `${base}/openapi.json`, title: 'Supaplane API' }));
}
