import { and, count, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { escapeLike } from '../db/like.js';
import { contentFolders, contentItems, profiles, users } from '../db/schema/index.js';
import { AppError, invalid, notFound } from '../errors.js';

/**
 * Studio's saved content (SQL snippets, reports, log queries), per project and
 * per user. An item with visibility `user` is its owner's alone; any other
 * visibility shares it with the project's members, who may read but not change
 * it. Folders are always private. Shapes follow Studio's UserContent* schemas.
 */

export const CONTENT_TYPES = ['sql', 'report', 'log_sql', 'notebook'] as const;
export const CONTENT_VISIBILITIES = ['user', 'project', 'org', 'public'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
export type ContentVisibility = (typeof CONTENT_VISIBILITIES)[number];
export const CONTENT_SORTS = ['name', 'inserted_at', 'updated_at'] as const;
export type ContentSort = (typeof CONTENT_SORTS)[number];

/** Whose content, in which project: the caller, already checked to be a member. */
export interface ContentScope {
  projectId: number;
  userId: string;
}

export interface ContentFilter {
  type?: ContentType;
  visibility?: ContentVisibility;
  favorite?: boolean;
  name?: string;
}

export interface ContentPage {
  limit: number;
  sortBy: ContentSort;
  sortOrder: 'asc' | 'desc';
  cursor?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

/** Refuses a list of ids with anything but UUIDs in it, naming the first bad one. */
export function requireUuids(ids: readonly string[]): void {
  const bad = ids.find((id) => !isUuid(id));
  if (bad !== undefined) throw invalid(`ids must be UUIDs (got "${bad}")`);
}
const snippetNotFound = (id: string) => notFound(`Content ${id}`);
const notOwner = () =>
  new AppError('forbidden', 'Only the owner of this content can change or delete it');

type Item = typeof contentItems.$inferSelect;
interface Row {
  item: Item;
  ownerProfileId: number | null;
  ownerUsername: string | null;
  ownerEmail: string;
}

const readable = (s: ContentScope) =>
  and(
    eq(contentItems.projectId, s.projectId),
    or(eq(contentItems.ownerId, s.userId), ne(contentItems.visibility, 'user')),
  );

export function filtered(s: ContentScope, f: ContentFilter): SQL | undefined {
  return and(
    readable(s),
    f.type ? eq(contentItems.type, f.type) : undefined,
    f.visibility === 'user'
      ? and(eq(contentItems.visibility, 'user'), eq(contentItems.ownerId, s.userId))
      : f.visibility
        ? eq(contentItems.visibility, f.visibility)
        : undefined,
    f.favorite ? eq(contentItems.favorite, true) : undefined,
    f.name ? ilike(contentItems.name, `%${escapeLike(f.name)}%`) : undefined,
  );
}

// Keyset pagination: the cursor is the sort key and id of the last item served,
// compared as a row value, so inserts between pages never shift or repeat items.
const SORT_KEY: Record<ContentSort, { expr: SQL; text: SQL<string>; cast: string }> = {
  name: {
    expr: sql`lower(${contentItems.name})`,
    text: sql<string>`lower(${contentItems.name})`,
    cast: 'text',
  },
  inserted_at: {
    expr: sql`${contentItems.createdAt}`,
    text: sql<string>`${contentItems.createdAt}::text`,
    cast: 'timestamptz',
  },
  updated_at: {
    expr: sql`${contentItems.updatedAt}`,
    text: sql<string>`${contentItems.updatedAt}::text`,
    cast: 'timestamptz',
  },
};
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function decodeCursor(cursor: string, sortBy: ContentSort): { key: string; id: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && v[0] === sortBy) {
      const [, key, id] = v as [string, unknown, unknown];
      const keyOk =
        typeof key === 'string' && (SORT_KEY[sortBy].cast === 'text' || TIMESTAMP_TEXT.test(key));
      if (keyOk && typeof id === 'string' && isUuid(id)) return { key, id };
    }
  } catch {
    // reported below
  }
  throw badCursor();
}
const badCursor = () =>
  invalid('Invalid cursor: pass back the cursor of the previous page unchanged');

/** Postgres class 22 (data exception): a value it could not convert. */
function isDataException(err: unknown): boolean {
  const e = (err as { cause?: unknown })?.cause ?? err;
  return typeof e === 'object' && e !== null && 'code' in e && /^22/.test(String(e.code));
}
const encodeCursor = (sortBy: ContentSort, key: string, id: string) =>
  Buffer.from(JSON.stringify([sortBy, key, id])).toString('base64url');

export async function selectPage(
  deps: Pick<Deps, 'db'>,
  where: SQL | undefined,
  page: ContentPage,
): Promise<{ rows: Row[]; cursor?: string }> {
  const key = SORT_KEY[page.sortBy];
  const after = page.cursor ? decodeCursor(page.cursor, page.sortBy) : undefined;
  const op = page.sortOrder === 'asc' ? sql`>` : sql`<`;
  const dir = page.sortOrder === 'asc' ? sql`asc` : sql`desc`;
  const query = deps.db
    .select({ ...rowColumns, sortKey: key.text })
    .from(contentItems)
    .innerJoin(users, eq(users.id, contentItems.ownerId))
    .leftJoin(profiles, eq(profiles.userId, contentItems.ownerId))
    .where(
      and(
        where,
        after
          ? sql`(${key.expr}, ${contentItems.id}) ${op} (${after.key}::${sql.raw(key.cast)}, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(sql`${key.expr} ${dir}`, sql`${contentItems.id} ${dir}`)
    .limit(page.limit + 1);
  const rows = await query.catch((err: unknown) => {
    // A cursor whose timestamp Postgres cannot read (say, February 30th) is bad input.
    throw after && isDataException(err) ? badCursor() : err;
  });
  const more = rows.length > page.limit;
  const served = rows.slice(0, page.limit);
  const last = served.at(-1);
  return {
    rows: served,
    ...(more && last ? { cursor: encodeCursor(page.sortBy, last.sortKey, last.item.id) } : {}),
  };
}

const rowColumns = {
  item: contentItems,
  ownerProfileId: profiles.id,
  ownerUsername: profiles.username,
  ownerEmail: users.email,
};

async function selectRows(deps: Pick<Deps, 'db'>, where: SQL | undefined): Promise<Row[]> {
  return deps.db
    .select(rowColumns)
    .from(contentItems)
    .innerJoin(users, eq(users.id, contentItems.ownerId))
    .leftJoin(profiles, eq(profiles.userId, contentItems.ownerId))
    .where(where);
}

/** Studio's content item. Owners are profile ids, as Studio compares them to its profile. */
export function itemView(r: Row, withContent = true) {
  const owner = { id: r.ownerProfileId ?? 0, username: r.ownerUsername ?? r.ownerEmail };
  return {
    id: r.item.id,
    type: r.item.type,
    name: r.item.name,
    description: r.item.description ?? '',
    visibility: r.item.visibility,
    favorite: r.item.favorite,
    folder_id: r.item.folderId,
    project_id: r.item.projectId,
    owner_id: owner.id,
    last_updated_by: owner.id,
    inserted_at: r.item.createdAt.toISOString(),
    updated_at: r.item.updatedAt.toISOString(),
    owner,
    // We keep no editor history: the owner is the only one who can change an item.
    updated_by: owner,
    ...(withContent ? { content: r.item.content } : {}),
  };
}
export type ContentItemView = ReturnType<typeof itemView>;

export async function listContent(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  query: ContentFilter & ContentPage,
): Promise<{ data: ContentItemView[]; cursor?: string }> {
  const { rows, cursor } = await selectPage(deps, filtered(scope, query), query);
  return { data: rows.map((r) => itemView(r)), ...(cursor ? { cursor } : {}) };
}

export async function getContentItem(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  id: string,
): Promise<ContentItemView> {
  if (!isUuid(id)) throw snippetNotFound(id);
  const [row] = await selectRows(deps, and(readable(scope), eq(contentItems.id, id)));
  if (!row) throw snippetNotFound(id);
  return itemView(row);
}

/** Counts for the SQL editor's sections, plus `count` for the filter as asked (v1 shape). */
export async function countContent(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  filter: ContentFilter,
): Promise<{ count: number; favorites: number; private: number; shared: number }> {
  const base = filtered(scope, { type: filter.type, name: filter.name });
  const asked = filtered(scope, filter);
  const [row] = await deps.db
    .select({
      count: sql<number>`count(*) filter (where ${asked})::int`,
      favorites: sql<number>`count(*) filter (where ${contentItems.favorite})::int`,
      private: sql<number>`count(*) filter (where ${contentItems.visibility} = 'user')::int`,
      shared: sql<number>`count(*) filter (where ${contentItems.visibility} <> 'user')::int`,
    })
    .from(contentItems)
    .where(base);
  return row ?? { count: 0, favorites: 0, private: 0, shared: 0 };
}

export interface ContentInput {
  id: string;
  name?: string;
  description?: string | null;
  type?: ContentType;
  visibility?: ContentVisibility;
  folderId?: string | null;
  favorite?: boolean;
  content?: Record<string, unknown>;
}

/** Throws unless `folderId` is one of the caller's folders in this project. */
export async function requireOwnFolder(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  folderId: string,
) {
  const [folder] = isUuid(folderId)
    ? await deps.db
        .select({ id: contentFolders.id })
        .from(contentFolders)
        .where(ownFolder(scope, folderId))
    : [];
  if (!folder) throw invalid(`Folder ${folderId} not found`);
}

export const ownFolder = (s: ContentScope, id: string) =>
  and(
    eq(contentFolders.id, id),
    eq(contentFolders.projectId, s.projectId),
    eq(contentFolders.ownerId, s.userId),
  );

/** Explains why the caller may not write item `id`: someone else's (403) or unknown (404). */
async function refuseWrite(deps: Pick<Deps, 'db'>, scope: ContentScope, id: string) {
  const [row] = await selectRows(deps, and(readable(scope), eq(contentItems.id, id)));
  return row ? notOwner() : snippetNotFound(id);
}

/**
 * Creates or replaces an item (Studio's PUT with Version 2, and POST). Fields the
 * body leaves out keep their stored value; only the owner may update.
 */
export async function upsertContent(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  input: ContentInput & { name: string; type: ContentType },
): Promise<ContentItemView> {
  if (!isUuid(input.id)) throw invalid('id must be a UUID');
  if (input.folderId != null) await requireOwnFolder(deps, scope, input.folderId);
  const changes = changesOf(input);
  const [row] = await deps.db
    .insert(contentItems)
    .values({
      id: input.id,
      projectId: scope.projectId,
      ownerId: scope.userId,
      type: input.type,
      name: input.name,
      description: input.description ?? null,
      visibility: input.visibility ?? 'user',
      folderId: input.folderId ?? null,
      favorite: input.favorite ?? false,
      content: input.content ?? {},
    })
    .onConflictDoUpdate({
      target: contentItems.id,
      set: { ...changes, updatedAt: new Date() },
      // Another user's item (or another project's) is never overwritten.
      setWhere: and(
        eq(contentItems.ownerId, scope.userId),
        eq(contentItems.projectId, scope.projectId),
      ),
    })
    .returning({ id: contentItems.id });
  if (!row) throw await refuseWrite(deps, scope, input.id);
  return getContentItem(deps, scope, input.id);
}

/** Changes some fields of an existing item (Studio's PATCH /content?id=). */
export async function updateContent(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  input: ContentInput,
): Promise<ContentItemView> {
  if (!isUuid(input.id)) throw snippetNotFound(input.id);
  if (input.folderId != null) await requireOwnFolder(deps, scope, input.folderId);
  const [row] = await deps.db
    .update(contentItems)
    .set({ ...changesOf(input), updatedAt: new Date() })
    .where(
      and(
        eq(contentItems.id, input.id),
        eq(contentItems.projectId, scope.projectId),
        eq(contentItems.ownerId, scope.userId),
      ),
    )
    .returning({ id: contentItems.id });
  if (!row) throw await refuseWrite(deps, scope, input.id);
  return getContentItem(deps, scope, input.id);
}

function changesOf(input: ContentInput) {
  const set: Partial<Item> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.type !== undefined) set.type = input.type;
  if (input.description !== undefined) set.description = input.description;
  if (input.visibility !== undefined) set.visibility = input.visibility;
  if (input.folderId !== undefined) set.folderId = input.folderId;
  if (input.favorite !== undefined) set.favorite = input.favorite;
  if (input.content !== undefined) set.content = input.content;
  return set;
}

/** Deletes the caller's items among `ids`; unknown ids are ignored, others' items refused. */
export async function deleteContent(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  ids: string[],
): Promise<{ id: string }[]> {
  requireUuids(ids);
  if (!ids.length) return [];
  const mine = and(
    inArray(contentItems.id, ids),
    eq(contentItems.projectId, scope.projectId),
    eq(contentItems.ownerId, scope.userId),
  );
  return deps.db.transaction(async (tx) => {
    const [others] = await tx
      .select({ n: count() })
      .from(contentItems)
      .where(
        and(inArray(contentItems.id, ids), readable(scope), ne(contentItems.ownerId, scope.userId)),
      );
    if (others && others.n > 0) throw notOwner();
    return tx.delete(contentItems).where(mine).returning({ id: contentItems.id });
  });
}
