import { OpenAPIHono } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import type { Router as HonoRouter } from 'hono/router';
import type { RouterRoute } from 'hono/types';
import type { Principal } from '../auth/principal.js';
import { invalid } from '../errors.js';
import { findBadText } from './text-guard.js';

export interface AppEnv {
  Variables: {
    principal: Principal;
    requestId: string;
  };
}

export type Router = OpenAPIHono<AppEnv>;

/**
 * A router whose schema validation failures become our 400 with a readable
 * `message` (the first issue, with its path), never zod's raw output; text that
 * Postgres cannot store (NUL, lone surrogates) is refused the same way.
 */
export function newRouter(options: { router?: HonoRouter<[Handler, RouterRoute]> } = {}): Router {
  return new OpenAPIHono<AppEnv>({
    ...options,
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw invalid(`Invalid request: ${where}${issue?.message ?? 'malformed input'}`, {
          issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        });
      }
      const bad = findBadText(result.data);
      if (bad) throw invalid(`Invalid request: ${bad.path ? `${bad.path}: ` : ''}${bad.why}`);
    },
  });
}
