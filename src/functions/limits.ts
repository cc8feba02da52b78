/**
 * Bounds of one deploy. The whole request body is bounded before anything reads it
 * (SUPAPLANE_FUNCTION_DEPLOY_LIMIT_BYTES, src/http/limits/body-limits.ts); these
 * bound what is inside it. Supabase's own limit is 20 MB per bundled function
 * (docs: guides/functions/limits).
 */
export const MAX_FILES = 1_000;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_PATH_LENGTH = 512;
export const MAX_SLUG_LENGTH = 128;
export const MAX_NAME_LENGTH = 256;
export const MAX_STATIC_PATTERNS = 100;

/** The Management API's slug pattern (openapi-v1.json, V1CreateFunctionBody.slug). */
export const SLUG_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Slugs the stack's main service keeps for itself. */
export const RESERVED_SLUGS = new Set(['main']);
