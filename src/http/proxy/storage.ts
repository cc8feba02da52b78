import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import type { Access } from '../../members/access.js';
import { resolveGateway, type ProjectGateway } from '../../gateway/gateway.js';
import { checkObjectKey, objectPath, pathSegment } from '../../gateway/gateway-path.js';
import type { AppEnv, Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import {
  ProxyError,
  forward,
  proxied,
  readJsonObject,
  relay,
  upstreamJson,
  type ForwardRequest,
} from './forward.js';

const PREFIX = '/platform/storage/:ref';
const storage = '/storage/v1';

type Ctx = Context<AppEnv>;
type Body = Record<string, unknown>;

const requiredString = (body: Body, key: string): string => {
  const v = body[key];
  if (typeof v !== 'string' || v === '') {
    throw new ProxyError(400, 'validation', `Invalid request: ${key}: a non-empty string`);
  }
  return v;
};

const bucketFields = (body: Body) => ({
  public: body.public,
  file_size_limit: body.file_size_limit,
  allowed_mime_types: body.allowed_mime_types,
});

/**
 * `/platform/storage/{ref}/…` → the project's storage-api (`<gateway>/storage/v1`),
 * mapping Studio's platform shapes to storage-api's the way supabase-js would, with
 * the service key. URLs handed back (signed, public) use the project's public address.
 */
export function storageProxyRoutes(deps: Deps, router: Router): void {
  router.use(`${PREFIX}/*`, requireAuth(deps));
  const on = (method: string, path: string, access: Access, run: Handler) =>
    router.on(method, `${PREFIX}${path}`, (c) =>
      proxied(c, deps.log, async () => {
        const gw = await resolveGateway(deps, {
          principal: c.get('principal'),
          ref: c.req.param('ref') ?? '',
          access,
        });
        const id = c.req.param('id');
        const bucket = id === undefined ? '' : pathSegment(id, 'bucket id');
        const call = (req: Omit<ForwardRequest, 'scope'> & { scope?: string }) =>
          forward(gw, {
            signal: c.req.raw.signal,
            requestId: c.get('requestId'),
            scope: `${storage}/`,
            ...req,
          });
        return run({ c, gw, call, bucket });
      }),
    );
  const json = (c: Ctx) => readJsonObject(c.req.raw);

  on('GET', '/buckets', 'read', async ({ c, gw, call }) => {
    const { search } = new URL(c.req.url);
    return relay(gw, await call({ method: 'GET', path: `${storage}/bucket`, search }));
  });
  on('POST', '/buckets', 'write', async ({ c, gw, call }) => {
    const body = await json(c);
    const id = requiredString(body, 'id');
    const payload = { id, name: id, ...bucketFields(body), type: body.type };
    return relay(gw, await call({ method: 'POST', path: `${storage}/bucket`, json: payload }));
  });
  on('GET', '/buckets/:id', 'read', async ({ gw, call, bucket }) =>
    relay(gw, await call({ method: 'GET', path: `${storage}/bucket/${bucket}` })),
  );
  on('PATCH', '/buckets/:id', 'write', async ({ c, gw, call, bucket }) => {
    const id = c.req.param('id') ?? '';
    const payload = { id, name: id, ...bucketFields(await json(c)) };
    return relay(
      gw,
      await call({ method: 'PUT', path: `${storage}/bucket/${bucket}`, json: payload }),
    );
  });
  on('DELETE', '/buckets/:id', 'write', async ({ gw, call, bucket }) =>
    relay(gw, await call({ method: 'DELETE', path: `${storage}/bucket/${bucket}` })),
  );
  on('POST', '/buckets/:id/empty', 'write', async ({ gw, call, bucket }) =>
    relay(gw, await call({ method: 'POST', path: `${storage}/bucket/${bucket}/empty` })),
  );

  const objects = '/buckets/:id/objects';
  // supabase-js `list(path, options)`: defaults first, the caller's options over them.
  on('POST', `${objects}/list`, 'read', async ({ c, gw, call, bucket }) => {
    const body = await json(c);
    const options = isObject(body.options) ? body.options : {};
    const payload = {
      limit: 100,
      offset: 0,
      sortBy: { column: 'name', order: 'asc' },
      ...options,
      prefix: typeof body.path === 'string' ? checkObjectKey(body.path, 'path') : '',
    };
    return relay(
      gw,
      await call({ method: 'POST', path: `${storage}/object/list/${bucket}`, json: payload }),
    );
  });
  on('POST', `${objects}/list-v2`, 'read', async ({ c, gw, call, bucket }) => {
    const payload = await json(c);
    return relay(
      gw,
      await call({ method: 'POST', path: `${storage}/object/list-v2/${bucket}`, json: payload }),
    );
  });
  for (const op of ['copy', 'move'] as const) {
    on('POST', `${objects}/${op}`, 'write', async ({ c, gw, call }) => {
      const body = await json(c);
      const payload = {
        bucketId: c.req.param('id'),
        sourceKey: checkObjectKey(requiredString(body, 'from'), 'from'),
        destinationKey: checkObjectKey(requiredString(body, 'to'), 'to'),
        ...(typeof body.destinationBucket === 'string'
          ? { destinationBucket: body.destinationBucket }
          : {}),
      };
      return relay(
        gw,
        await call({ method: 'POST', path: `${storage}/object/${op}`, json: payload }),
      );
    });
  }
  on('POST', `${objects}/sign`, 'read', async ({ c, gw, call, bucket }) => {
    const body = await json(c);
    const path = objectPath(requiredString(body, 'path'));
    const options = isObject(body.options) ? body.options : {};
    const res = await call({
      method: 'POST',
      path: `${storage}/object/sign/${bucket}/${path}`,
      scope: `${storage}/object/sign/${bucket}/`,
      json: {
        expiresIn: expiresIn(body),
        ...(options.transform ? { transform: options.transform } : {}),
      },
    });
    const data = (await upstreamJson(gw, res)) as { signedURL?: unknown } | null;
    return c.json({ signedUrl: signedUrl(gw, data?.signedURL, options.download) });
  });
  on('POST', `${objects}/sign-multi`, 'read', async ({ c, gw, call, bucket }) => {
    const body = await json(c);
    const paths = body.path ?? body.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      throw new ProxyError(400, 'validation', 'Invalid request: path: an array of object paths');
    }
    for (const p of paths) checkObjectKey(p, 'path');
    const res = await call({
      method: 'POST',
      path: `${storage}/object/sign/${bucket}`,
      json: { expiresIn: expiresIn(body), paths },
    });
    const data = await upstreamJson(gw, res);
    const items = (Array.isArray(data) ? data : []) as { signedURL?: unknown }[];
    return c.json(
      items.map(({ signedURL, ...item }) => ({ ...item, signedUrl: signedUrl(gw, signedURL) })),
    );
  });
  // Public URLs are computed, as supabase-js does; storage-api is not asked.
  on('POST', `${objects}/public-url`, 'read', async ({ c, gw, bucket }) => {
    const body = await json(c);
    const path = objectPath(requiredString(body, 'path'));
    const options = isObject(body.options) ? body.options : {};
    const url = new URL(`${gw.publicUrl}${storage}/object/public/${bucket}/${path}`);
    if (options.download !== undefined && options.download !== false) {
      url.searchParams.set('download', options.download === true ? '' : String(options.download));
    }
    return c.json({ publicUrl: url.href });
  });
  on('POST', `${objects}/download`, 'read', async ({ c, gw, call, bucket }) => {
    const path = objectPath(requiredString(await json(c), 'path'));
    const res = await call({
      method: 'GET',
      path: `${storage}/object/${bucket}/${path}`,
      scope: `${storage}/object/${bucket}/`,
    });
    return relay(gw, res);
  });
  on('DELETE', objects, 'write', async ({ c, gw, call, bucket }) => {
    const paths = (await json(c)).paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      throw new ProxyError(400, 'validation', 'Invalid request: paths: an array of object paths');
    }
    for (const p of paths) checkObjectKey(p, 'paths');
    const res = await call({
      method: 'DELETE',
      path: `${storage}/object/${bucket}`,
      json: { prefixes: paths },
    });
    return relay(gw, res);
  });
}

type Handler = (args: {
  c: Ctx;
  gw: ProjectGateway;
  call: (req: Omit<ForwardRequest, 'scope'> & { scope?: string }) => Promise<Response>;
  bucket: string;
}) => Promise<Response>;

const isObject = (v: unknown): v is Body =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const DAY_S = 24 * 3600;
function expiresIn(body: Body): number {
  const v = Number(body.expiresIn ?? DAY_S);
  if (!Number.isInteger(v) || v <= 0) {
    throw new ProxyError(
      400,
      'validation',
      'Invalid request: expiresIn: a positive number of seconds',
    );
  }
  return v;
}

/** storage-api answers `/object/sign/…?token=…`, relative to its own root. */
function signedUrl(gw: ProjectGateway, relative: unknown, download?: unknown): string | null {
  if (typeof relative !== 'string') return null;
  const url = new URL(`${gw.publicUrl}/storage/v1${relative}`);
  if (download !== undefined && download !== false) {
    url.searchParams.set('download', download === true ? '' : String(download));
  }
  return url.href;
}
