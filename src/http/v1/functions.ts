import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import type { FunctionFile } from '../../functions/bundle.js';
import { createFunction, deployFunction } from '../../functions/deploy.js';
import {
  bulkUpdateFunctions,
  deleteFunction,
  getFunction,
  getFunctionBody,
  listFunctions,
  updateFunction,
} from '../../functions/edge-functions.js';
import { invalid } from '../../errors.js';
import type { AppEnv, Router } from '../env.js';
import {
  BulkBody,
  CreateBody,
  DeployBody,
  DeployQuery,
  FunctionQuery,
  FunctionResponse,
  SlugParam,
  UpdateBody,
} from './function-schemas.js';
import { bearer, errorResponses, jsonBody, jsonResponse, ProjectRefParam } from '../schemas.js';

const tags = ['Edge Functions'];
const errors = { ...errorResponses, 409: errorResponses[400], 413: errorResponses[400] };

/**
 * Bodies of the JSON create and update: supabase-management-js sends them with no
 * Content-Type (fetch then says text/plain), so the text is parsed whatever the type.
 */
const jsonOrText = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: {
    'application/json': { schema },
    'text/plain': { schema: { type: 'string' as const, description: 'The same JSON' } },
    // Declared so the request reaches the handler, which refuses it with a message.
    'application/vnd.denoland.eszip': {
      schema: { type: 'string' as const, format: 'binary', description: 'Not supported' },
    },
  },
});

async function readJson<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const type = c.req.header('content-type') ?? '';
  if (/^application\/vnd\.denoland\.eszip/i.test(type)) {
    throw invalid(
      'eszip bodies are not supported: deploy with POST /v1/projects/{ref}/functions/deploy (multipart), which `supabase functions deploy` uses by default',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw invalid('The body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

const route = <M extends 'get' | 'post' | 'put' | 'patch' | 'delete'>(
  method: M,
  path: string,
  summary: string,
) => ({ method, path, tags, summary, security: bearer });

const list = createRoute({
  ...route('get', '/projects/{ref}/functions', 'List all functions'),
  request: { params: ProjectRefParam },
  responses: { 200: jsonResponse(z.array(FunctionResponse)), ...errors },
});
const create = createRoute({
  ...route('post', '/projects/{ref}/functions', 'Create a function from one source file'),
  request: { params: ProjectRefParam, query: FunctionQuery, body: jsonOrText(CreateBody) },
  responses: { 201: jsonResponse(FunctionResponse), ...errors },
});
const bulk = createRoute({
  ...route('put', '/projects/{ref}/functions', 'Serve stored versions of several functions'),
  request: { params: ProjectRefParam, body: jsonBody(BulkBody) },
  responses: {
    200: jsonResponse(z.object({ functions: z.array(FunctionResponse) })),
    ...errors,
  },
});
const deploy = createRoute({
  ...route('post', '/projects/{ref}/functions/deploy', 'Deploy a function (multipart, as the CLI)'),
  request: {
    params: ProjectRefParam,
    query: DeployQuery,
    body: { required: true, content: { 'multipart/form-data': { schema: DeployBody } } },
  },
  responses: { 201: jsonResponse(FunctionResponse), ...errors },
});
const get = createRoute({
  ...route('get', '/projects/{ref}/functions/{function_slug}', 'Retrieve a function'),
  request: { params: SlugParam },
  responses: { 200: jsonResponse(FunctionResponse), ...errors },
});
const update = createRoute({
  ...route('patch', '/projects/{ref}/functions/{function_slug}', 'Update a function'),
  request: { params: SlugParam, query: FunctionQuery, body: jsonOrText(UpdateBody) },
  responses: { 200: jsonResponse(FunctionResponse), ...errors },
});
const remove = createRoute({
  ...route('delete', '/projects/{ref}/functions/{function_slug}', 'Delete a function'),
  request: { params: SlugParam },
  responses: { 200: { description: 'Deleted' }, ...errors },
});
const body = createRoute({
  ...route('get', '/projects/{ref}/functions/{function_slug}/body', "The served version's files"),
  request: { params: SlugParam },
  responses: {
    200: {
      description: 'A `metadata` JSON part, then one `file` part per file (filename = its path)',
      content: { 'multipart/form-data': { schema: { type: 'object' as const } } },
    },
    ...errors,
  },
});

/** The deploy's form: `metadata` and `file` parts (apps/cli-go/pkg/function/deploy.go:132-185@1d1e7191). */
async function readDeployForm(c: Context<AppEnv>) {
  const type = c.req.header('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    throw invalid(
      'A deploy is a multipart/form-data body with a "metadata" field and "file" parts',
    );
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw invalid('The multipart body could not be parsed');
  }
  const metadata = form.get('metadata');
  const files: FunctionFile[] = [];
  for (const part of form.getAll('file')) {
    if (typeof part === 'string') throw invalid('Every "file" part needs a filename');
    files.push({ name: part.name, content: Buffer.from(await part.arrayBuffer()) });
  }
  return {
    metadata: typeof metadata === 'string' ? metadata : await metadata?.text(),
    files,
  };
}

export function v1FunctionRoutes(deps: Deps, router: Router): void {
  router.openapi(list, async (c) =>
    c.json(
      await listFunctions(deps, { actor: c.get('principal'), input: c.req.valid('param') }),
      200,
    ),
  );
  router.openapi(create, async (c) => {
    const q = c.req.valid('query');
    const b = await readJson(c, CreateBody.partial());
    const input = {
      ref: c.req.valid('param').ref,
      slug: b.slug ?? q.slug ?? '',
      name: b.name ?? q.name ?? b.slug ?? q.slug ?? '',
      body: b.body ?? '',
      verifyJwt: b.verify_jwt ?? q.verify_jwt,
    };
    if (!input.body) throw invalid('body: the function source is required');
    return c.json(await createFunction(deps, { actor: c.get('principal'), input }), 201);
  });
  router.openapi(bulk, async (c) =>
    c.json(
      await bulkUpdateFunctions(deps, {
        actor: c.get('principal'),
        input: { ref: c.req.valid('param').ref, functions: c.req.valid('json') },
      }),
      200,
    ),
  );
  router.openapi(deploy, async (c) => {
    const { slug, bundleOnly } = c.req.valid('query');
    const form = await readDeployForm(c);
    const input = { ref: c.req.valid('param').ref, slug, bundleOnly, ...form };
    return c.json(await deployFunction(deps, { actor: c.get('principal'), input }), 201);
  });
  router.openapi(get, async (c) => {
    const { ref, function_slug: slug } = c.req.valid('param');
    return c.json(
      await getFunction(deps, { actor: c.get('principal'), input: { ref, slug } }),
      200,
    );
  });
  router.openapi(update, async (c) => {
    const { ref, function_slug: slug } = c.req.valid('param');
    const q = c.req.valid('query');
    const b = await readJson(c, UpdateBody);
    const input = {
      ref,
      slug,
      name: b.name ?? q.name,
      body: b.body,
      verifyJwt: b.verify_jwt ?? q.verify_jwt,
    };
    return c.json(await updateFunction(deps, { actor: c.get('principal'), input }), 200);
  });
  router.openapi(remove, async (c) => {
    const { ref, function_slug: slug } = c.req.valid('param');
    await deleteFunction(deps, { actor: c.get('principal'), input: { ref, slug } });
    return c.body(null, 200);
  });
  router.openapi(body, async (c) => {
    const { ref, function_slug: slug } = c.req.valid('param');
    const found = await getFunctionBody(deps, { actor: c.get('principal'), input: { ref, slug } });
    // Studio parses this with @mjackson/multipart-parser: the non-file part is the
    // metadata, each file part its path and text (edge-function-body-query.ts).
    const form = new FormData();
    form.append('metadata', JSON.stringify(found.metadata));
    for (const f of found.files) form.append('file', new Blob([f.content]), f.name);
    return new Response(form, { status: 200 }) as never;
  });
}
