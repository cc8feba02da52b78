import { createRoute, z } from '@hono/zod-openapi';
import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../../context.js';
import { requireProject, type Access } from '../../members/access.js';
import {
  CONTENT_SORTS,
  CONTENT_TYPES,
  CONTENT_VISIBILITIES,
  countContent,
  deleteContent,
  getContentItem,
  listContent,
  updateContent,
  upsertContent,
  type ContentInput,
  type ContentScope,
} from '../../content/content.js';
import { createFolder, deleteFolders, listFolder, updateFolder } from '../../content/folders.js';
import { newRouter, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';
import { AnyObject, text } from './project-schemas.js';
import { bearer, errorResponses, jsonBody, jsonResponse, ProjectRefParam } from '../schemas.js';

/**
 * Studio's saved SQL snippets and their folders (ENDPOINTS.md §4(f)), per user
 * and project. Every member reads; saving needs write access.
 */

const tags = ['Dashboard SQL snippets'];

const MAX_CONTENT_BYTES = 1_048_576;
const MAX_CONTENT_DEPTH = 64;

/** Why a snippet body cannot be stored, if it cannot: jsonb refuses NUL characters. */
function contentProblem(v: unknown, depth = 0): string | undefined {
  if (depth > MAX_CONTENT_DEPTH) return `is nested deeper than ${MAX_CONTENT_DEPTH} levels`;
  if (typeof v === 'string')
    return v.includes('\0') ? 'must not contain NUL characters' : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const problem = k.includes('\0')
      ? 'must not contain NUL characters'
      : contentProblem(x, depth + 1);
    if (problem) return problem;
  }
  return depth === 0 && JSON.stringify(v).length > MAX_CONTENT_BYTES
    ? 'is larger than 1 MB'
    : undefined;
}

const ContentBody = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const problem = contentProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `content ${problem}` });
});

const ItemBody = z
  .object({
    id: z.string().max(64),
    name: text(256).pipe(z.string().min(1)),
    description: text(4096).nullish(),
    type: z.enum(CONTENT_TYPES),
    visibility: z.enum(CONTENT_VISIBILITIES).optional(),
    folder_id: z.string().max(64).nullish(),
    favorite: z.boolean().optional(),
    content: ContentBody.optional(),
    // Sent by Studio, but the owner and project are the caller and the path's.
    owner_id: z.number().optional(),
    project_id: z.number().optional(),
  })
  .openapi('UpsertContentBody');
const NewItemBody = ItemBody.extend({ id: z.string().max(64).optional() });
const ItemChanges = ItemBody.partial().openapi('UpdateContentBody');

const ListQuery = z.object({
  type: z.enum(CONTENT_TYPES).optional(),
  visibility: z.enum(CONTENT_VISIBILITIES).optional(),
  favorite: z.enum(['true', 'false']).optional(),
  name: text(256).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(1024).optional(),
  sort_by: z.enum(CONTENT_SORTS).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
});
const IdsQuery = z.object({
  ids: z.union([z.string().max(20_000), z.array(z.string().max(20_000)).max(1000)]).optional(),
});
const IdParam = ProjectRefParam.extend({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const FolderBody = z
  .object({
    name: text(256).pipe(z.string().min(1)),
    parentId: z.string().max(64).nullish(),
    parent_id: z.string().max(64).nullish(),
  })
  .openapi('CreateContentFolderBody');

const r = <M extends 'get' | 'put' | 'post' | 'patch' | 'delete'>(
  method: M,
  path: string,
  summary: string,
) => ({ method, path: `/projects/{ref}/content${path}`, tags, summary, security: bearer }) as const;
const ok = (schema: z.ZodType = AnyObject) => ({
  200: jsonResponse(schema),
  ...errorResponses,
});

const routes = {
  list: createRoute({
    ...r('get', '', 'Saved content, a page at a time (cursor)'),
    request: { params: ProjectRefParam, query: ListQuery },
    responses: ok(),
  }),
  upsert: createRoute({
    ...r('put', '', 'Save an item (create or replace; Studio sends Version: 2)'),
    request: { params: ProjectRefParam, body: jsonBody(ItemBody) },
    responses: ok(),
  }),
  create: createRoute({
    ...r('post', '', 'Create an item'),
    request: { params: ProjectRefParam, body: jsonBody(NewItemBody) },
    responses: { 201: jsonResponse(AnyObject), ...errorResponses },
  }),
  patch: createRoute({
    ...r('patch', '', 'Change some fields of an item (?id=)'),
    request: {
      params: ProjectRefParam,
      query: z.object({ id: z.string().max(64).optional() }),
      body: jsonBody(ItemChanges),
    },
    responses: ok(),
  }),
  remove: createRoute({
    ...r('delete', '', 'Delete items (?ids=a,b): answers [{id}] of those deleted'),
    request: { params: ProjectRefParam, query: IdsQuery },
    responses: ok(z.array(z.object({ id: z.string() }))),
  }),
  count: createRoute({
    ...r('get', '/count', 'How many items, by section'),
    request: {
      params: ProjectRefParam,
      query: ListQuery.pick({ type: true, visibility: true, favorite: true, name: true }),
    },
    responses: ok(),
  }),
  item: createRoute({
    ...r('get', '/item/{id}', 'One item, with its body'),
    request: { params: IdParam },
    responses: ok(),
  }),
  folders: createRoute({
    ...r('get', '/folders', 'Your root folders and the items outside any folder'),
    request: { params: ProjectRefParam, query: ListQuery },
    responses: ok(),
  }),
  folder: createRoute({
    ...r('get', '/folders/{id}', 'A folder’s subfolders and items'),
    request: { params: IdParam, query: ListQuery },
    responses: ok(),
  }),
  createFolder: createRoute({
    ...r('post', '/folders', 'Create a folder'),
    request: { params: ProjectRefParam, body: jsonBody(FolderBody) },
    responses: { 201: jsonResponse(AnyObject), ...errorResponses },
  }),
  updateFolder: createRoute({
    ...r('patch', '/folders/{id}', 'Rename or move a folder'),
    request: { params: IdParam, body: jsonBody(FolderBody.partial()) },
    responses: ok(),
  }),
  deleteFolders: createRoute({
    ...r('delete', '/folders', 'Delete folders (?ids=a,b) with everything in them'),
    request: { params: ProjectRefParam, query: IdsQuery },
    responses: ok(z.array(z.object({ id: z.string() }))),
  }),
};

type ListQueryValue = z.infer<typeof ListQuery>;
const pageOf = (q: ListQueryValue) => {
  const sortBy = q.sort_by ?? 'inserted_at';
  return {
    type: q.type,
    visibility: q.visibility,
    favorite: q.favorite === 'true' ? true : undefined,
    name: q.name || undefined,
    limit: q.limit,
    cursor: q.cursor || undefined,
    sortBy,
    sortOrder: q.sort_order ?? (sortBy === 'name' ? ('asc' as const) : ('desc' as const)),
  };
};

/** `?ids=a,b` and `?ids=a&ids=b` (openapi-fetch's default) both work. */
const idsOf = (ids: string | string[] | undefined) =>
  [ids ?? []]
    .flat()
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

type ItemValue = z.infer<typeof ItemChanges>;
const inputOf = (b: ItemValue, id: string): ContentInput => ({
  id,
  name: b.name,
  description: b.description,
  type: b.type,
  visibility: b.visibility,
  folderId: b.folder_id,
  // Older Studio builds kept the favorite flag inside the content.
  favorite:
    b.favorite ?? (typeof b.content?.favorite === 'boolean' ? b.content.favorite : undefined),
  content: b.content,
});

/** Mounted at /platform. */
export function platformContentRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  const scopeOf = async (
    principal: Principal,
    ref: string,
    access: Access,
  ): Promise<ContentScope> => {
    const { project } = await requireProject(deps, principal, ref, access);
    return { projectId: project.id, userId: principal.userId };
  };

  router.openapi({ ...routes.list, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'read');
    return c.json(await listContent(deps, scope, pageOf(c.req.valid('query'))), 200);
  });
  router.openapi({ ...routes.count, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'read');
    const q = c.req.valid('query');
    return c.json(await countContent(deps, scope, pageOf({ ...q, limit: 1 })), 200);
  });
  router.openapi({ ...routes.item, middleware: auth }, async (c) => {
    const { ref, id } = c.req.valid('param');
    const scope = await scopeOf(c.get('principal'), ref, 'read');
    return c.json(await getContentItem(deps, scope, id), 200);
  });
  router.openapi({ ...routes.upsert, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    const b = c.req.valid('json');
    return c.json(
      await upsertContent(deps, scope, { ...inputOf(b, b.id), name: b.name, type: b.type }),
      200,
    );
  });
  router.openapi({ ...routes.create, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    const b = c.req.valid('json');
    const id = b.id ?? crypto.randomUUID();
    return c.json(
      await upsertContent(deps, scope, { ...inputOf(b, id), name: b.name, type: b.type }),
      201,
    );
  });
  router.openapi({ ...routes.patch, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    const b = c.req.valid('json');
    const id = c.req.valid('query').id ?? b.id ?? '';
    return c.json(await updateContent(deps, scope, inputOf(b, id)), 200);
  });
  router.openapi({ ...routes.remove, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    return c.json(await deleteContent(deps, scope, idsOf(c.req.valid('query').ids)), 200);
  });

  router.openapi({ ...routes.folders, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'read');
    return c.json(await listFolder(deps, scope, null, pageOf(c.req.valid('query'))), 200);
  });
  router.openapi({ ...routes.folder, middleware: auth }, async (c) => {
    const { ref, id } = c.req.valid('param');
    const scope = await scopeOf(c.get('principal'), ref, 'read');
    return c.json(await listFolder(deps, scope, id, pageOf(c.req.valid('query'))), 200);
  });
  router.openapi({ ...routes.createFolder, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    const b = c.req.valid('json');
    const folder = await createFolder(deps, scope, {
      name: b.name,
      parentId: b.parentId ?? b.parent_id,
    });
    return c.json(folder, 201);
  });
  router.openapi({ ...routes.updateFolder, middleware: auth }, async (c) => {
    const { ref, id } = c.req.valid('param');
    const scope = await scopeOf(c.get('principal'), ref, 'write');
    const b = c.req.valid('json');
    const parentId = b.parentId !== undefined ? b.parentId : b.parent_id;
    return c.json(await updateFolder(deps, scope, id, { name: b.name, parentId }), 200);
  });
  router.openapi({ ...routes.deleteFolders, middleware: auth }, async (c) => {
    const scope = await scopeOf(c.get('principal'), c.req.valid('param').ref, 'write');
    return c.json(await deleteFolders(deps, scope, idsOf(c.req.valid('query').ids)), 200);
  });
  return router;
}
