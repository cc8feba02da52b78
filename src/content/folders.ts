import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { contentFolders, contentItems, profiles } from '../db/schema/index.js';
import { invalid, notFound } from '../errors.js';
import {
  filtered,
  isUuid,
  requireUuids,
  itemView,
  ownFolder,
  requireOwnFolder,
  selectPage,
  type ContentFilter,
  type ContentItemView,
  type ContentPage,
  type ContentScope,
} from './content.js';

/**
 * Studio's SQL snippet folders. Folders are private to their owner and hold only
 * the owner's items; deleting one deletes what it holds.
 */

type Folder = typeof contentFolders.$inferSelect;
const folderView = (f: Folder, ownerProfileId: number) => ({
  id: f.id,
  name: f.name,
  owner_id: ownerProfileId,
  parent_id: f.parentId,
  project_id: f.projectId,
});
export type ContentFolderView = ReturnType<typeof folderView>;

async function profileIdOf(deps: Pick<Deps, 'db'>, userId: string): Promise<number> {
  const [p] = await deps.db
    .select({ id: profiles.id })
    .from(profiles)
    .where(eq(profiles.userId, userId));
  return p?.id ?? 0;
}

/**
 * One level of the caller's folder tree: its subfolders and the caller's items in
 * it (without their bodies, which Studio loads on open). `parentId` null is the root.
 */
export async function listFolder(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  parentId: string | null,
  query: ContentFilter & ContentPage,
): Promise<{
  data: { folders: ContentFolderView[]; contents: ContentItemView[] };
  cursor?: string;
}> {
  if (parentId !== null) {
    const [own] = isUuid(parentId)
      ? await deps.db.select().from(contentFolders).where(ownFolder(scope, parentId))
      : [];
    if (!own) throw notFound(`Folder ${parentId}`);
  }
  const folders = await deps.db
    .select()
    .from(contentFolders)
    .where(
      and(
        eq(contentFolders.projectId, scope.projectId),
        eq(contentFolders.ownerId, scope.userId),
        parentId === null ? isNull(contentFolders.parentId) : eq(contentFolders.parentId, parentId),
      ),
    )
    .orderBy(sql`lower(${contentFolders.name})`, contentFolders.id);
  const items = and(
    filtered(scope, query),
    eq(contentItems.ownerId, scope.userId),
    parentId === null ? isNull(contentItems.folderId) : eq(contentItems.folderId, parentId),
  );
  const { rows, cursor } = await selectPage(deps, items, query);
  const profileId = await profileIdOf(deps, scope.userId);
  return {
    data: {
      // Folders come with the first page only; later pages carry more items.
      folders: query.cursor ? [] : folders.map((f) => folderView(f, profileId)),
      contents: rows.map((r) => itemView(r, false)),
    },
    ...(cursor ? { cursor } : {}),
  };
}

const checkFolderName = (name: string) => {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 256)
    throw invalid('Folder name must be 1–256 characters');
  return trimmed;
};

export async function createFolder(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  input: { name: string; parentId?: string | null },
): Promise<ContentFolderView> {
  const name = checkFolderName(input.name);
  if (input.parentId != null) await requireOwnFolder(deps, scope, input.parentId);
  const [folder] = await deps.db
    .insert(contentFolders)
    .values({
      projectId: scope.projectId,
      ownerId: scope.userId,
      name,
      parentId: input.parentId ?? null,
    })
    .returning();
  return folderView(folder!, await profileIdOf(deps, scope.userId));
}

export async function updateFolder(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  id: string,
  input: { name?: string; parentId?: string | null },
): Promise<ContentFolderView> {
  const [own] = isUuid(id)
    ? await deps.db.select().from(contentFolders).where(ownFolder(scope, id))
    : [];
  if (!own) throw notFound(`Folder ${id}`);
  const set: Partial<Folder> = {};
  if (input.name !== undefined) set.name = checkFolderName(input.name);
  if (input.parentId !== undefined) {
    if (input.parentId !== null) {
      await requireOwnFolder(deps, scope, input.parentId);
      const below = await descendants(deps, scope, [id]);
      if (below.includes(input.parentId)) {
        throw invalid('A folder cannot be moved into itself or one of its subfolders');
      }
    }
    set.parentId = input.parentId;
  }
  if (!Object.keys(set).length) return folderView(own, await profileIdOf(deps, scope.userId));
  const [folder] = await deps.db
    .update(contentFolders)
    .set(set)
    .where(ownFolder(scope, id))
    .returning();
  return folderView(folder!, await profileIdOf(deps, scope.userId));
}

/** `ids` and every folder beneath them, among the caller's folders. */
async function descendants(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  ids: string[],
): Promise<string[]> {
  const rows = await deps.db.execute(sql`
    with recursive tree(id) as (
      select id from ${contentFolders}
      where id in ${ids} and project_id = ${scope.projectId} and owner_id = ${scope.userId}
      union
      select f.id from ${contentFolders} f join tree t on f.parent_id = t.id
      where f.project_id = ${scope.projectId} and f.owner_id = ${scope.userId}
    )
    select id from tree`);
  return (rows as unknown as { id: string }[]).map((r) => r.id);
}

/** Deletes the caller's folders among `ids`, their subfolders and the items in them. */
export async function deleteFolders(
  deps: Pick<Deps, 'db'>,
  scope: ContentScope,
  ids: string[],
): Promise<{ id: string }[]> {
  requireUuids(ids);
  if (!ids.length) return [];
  const all = await descendants(deps, scope, ids);
  if (!all.length) return [];
  return deps.db.transaction(async (tx) => {
    await tx
      .delete(contentItems)
      .where(and(inArray(contentItems.folderId, all), eq(contentItems.ownerId, scope.userId)));
    return tx
      .delete(contentFolders)
      .where(and(inArray(contentFolders.id, all), eq(contentFolders.ownerId, scope.userId)))
      .returning({ id: contentFolders.id });
  });
}
