import { z } from '@hono/zod-openapi';
import { PROJECT_STATUSES } from '../db/schema/index.js';

/**
 * Shapes shared by the /v1 routes (and Studio's access-token page). Field names
 * and enums follow shared/reference/supabase-management-api/openapi-v1.json.
 */

/** Text stored in Postgres, which refuses NUL characters in text columns. */
export const text = () =>
  z.string().refine((s) => !s.includes('\0'), 'must not contain NUL characters');

export const ErrorBody = z
  .object({
    message: z.string(),
    error: z.string().optional().openapi({ description: 'Machine-readable error code' }),
  })
  .openapi('Error');

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

/** The error statuses every authenticated route may answer. */
export const errorResponses = {
  400: error('Malformed request'),
  401: error('Unauthorized'),
  403: error('Forbidden action'),
  404: error('Not found, or not visible to the caller'),
  429: error('Rate limit exceeded'),
} as const;

/** Statuses of routes that change a project through the lifecycle. */
export const lifecycleErrors = {
  ...errorResponses,
  409: error('Changed concurrently, or already exists'),
  412: error('Not possible in the project’s current status'),
  503: error('The project or Coolify is unreachable'),
} as const;

export const bearer = [{ bearer: [] }];

export const ProjectRefParam = z.object({
  ref: z
    .string()
    .regex(/^[a-z]{20}$/, 'must be a project ref: 20 lowercase letters')
    .openapi({ param: { name: 'ref', in: 'path' }, description: 'Project ref' }),
});

export const OrganizationSlugParam = z.object({
  slug: z
    .string()
    .regex(/^[\w-]+$/, 'must be an organization slug')
    .openapi({ param: { name: 'slug', in: 'path' }, description: 'Organization slug' }),
});

/** `?reveal=true|false`, as the Management API spells booleans in queries. */
export const booleanQuery = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v === 'true')
  .openapi({ type: 'boolean', description: 'Boolean string, true or false' });

// The Supabase Cloud enum, from the one list the database column uses.
export const PROJECT_STATUS_VALUES = PROJECT_STATUSES;

export const ProjectStatus = z.enum(PROJECT_STATUS_VALUES);

/** A JSON body that the handler reads (the request must send `Content-Type: application/json`). */
export const jsonBody = <T extends z.ZodType>(schema: T, description = '') => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description = '') => ({
  description,
  content: { 'application/json': { schema } },
});
