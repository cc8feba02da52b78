import type postgres from 'postgres';
import type { ReadCache } from './read-cache.js';

/** The channel drizzle/0003's triggers notify, with the organization id as payload. */
export const ORGANIZATION_CHANGED = 'supaplane_organization_changed';

/**
 * Keeps `cache` in step with every process's writes. postgres.js re-listens after
 * the connection drops and calls `onlisten` again: notifications sent while it was
 * down are lost, so the whole cache is dropped then (and at the first listen).
 */
export async function invalidateOnChange(
  sql: postgres.Sql,
  cache: ReadCache,
): Promise<{ unlisten: () => Promise<void> }> {
  const { unlisten } = await sql.listen(
    ORGANIZATION_CHANGED,
    (payload) => {
      const id = Number(payload);
      if (Number.isSafeInteger(id)) cache.invalidateOrganization(id);
      else cache.clear();
    },
    () => cache.clear(),
  );
  return { unlisten };
}
