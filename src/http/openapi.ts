import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import type { Config } from '../config/config.js';
import type { Router } from './env.js';

/**
 * @hono/swagger-ui renders a page that loads swagger-ui-dist from a CDN, unpinned and
 * without integrity (node_modules/@hono/swagger-ui/dist/index.js, `remoteAssets`,
 * v0.6.1), on the API's own origin (security audit 18.8). Its `baseUrl` option
 * points those two files here instead, served from the installed (exactly pinned)
 * swagger-ui-dist package, read once on first use.
 */
const ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;
const assetCache = new Map<string, Promise<Buffer>>();
const assetDir = () =>
  path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

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
  root.openAPIRegistry.registerComponent('securitySchemes', 'deliveryToken', {
    type: 'http',
    scheme: 'bearer',
    description: "A project's function delivery token (its stack's SUPAPLANE_FUNCTIONS_TOKEN)",
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
  root.get(
    '/docs',
    swaggerUI({ url: `${base}/openapi.json`, title: 'Supaplane API', baseUrl: `${base}/docs` }),
  );
  root.get('/docs/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    if (!Object.hasOwn(ASSETS, file))
      return c.json({ message: 'No such asset', error: 'not_found' }, 404);
    let bytes = assetCache.get(file);
    if (!bytes) {
      bytes = readFile(path.join(assetDir(), file));
      assetCache.set(file, bytes);
    }
    return c.body(new Uint8Array(await bytes), 200, {
      'content-type': ASSETS[file as keyof typeof ASSETS],
      'cache-control': 'public, max-age=86400',
    });
  });
}
