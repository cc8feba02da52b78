import type { EdgeFunction } from '../db/schema/index.js';

/** FunctionResponse of the Management API (openapi-v1.json); times in epoch milliseconds. */
export interface FunctionView {
  id: string;
  slug: string;
  name: string;
  status: EdgeFunction['status'];
  version: number;
  created_at: number;
  updated_at: number;
  verify_jwt: boolean;
  import_map: boolean;
  entrypoint_path?: string;
  import_map_path?: string;
}

/**
 * The CLI prints `time.UnixMilli(updated_at)` (apps/cli-go/internal/functions/list/list.go:31
 * @1d1e7191 of supabase/cli), so times are milliseconds. `version` may be given for a
 * bundle-only deploy, whose new version is not yet the one served.
 */
export function functionView(row: EdgeFunction, version = row.version): FunctionView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    version,
    created_at: row.createdAt.getTime(),
    updated_at: row.updatedAt.getTime(),
    verify_jwt: row.verifyJwt,
    import_map: row.importMapPath !== null,
    ...(row.entrypointPath !== null ? { entrypoint_path: row.entrypointPath } : {}),
    ...(row.importMapPath !== null ? { import_map_path: row.importMapPath } : {}),
  };
}
