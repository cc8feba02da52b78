import { OpenAPIHono } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import type { Router as HonoRouter } from 'hono/router';
import type { RouterRoute } from 'hono/types';
import type { Principal } from '../auth/principal.js';
import { invalid } from '../errors.js';
import { findBadText } from './text-guard.js';
import { validateReadsOncePerUrl } from './validated-reads.js';

export interface AppEnv {
  Variables: {
    principal: Principal;
    requestId: string;
    /** Headers not yet on Hono's context: see src/http/answer-headers.ts. */
    answerHeaders: [string, string][] | undefined;
    answerHeadersGiven: boolean;
  };
}

export type Router = OpenAPIHono<AppEnv>;

/**
 * A router whose schema validation failures become our 400 with a readable
 * `message` (the first issue, with its path), never zod's raw output; text that
 * Postgres cannot store (NUL, lone surrogates) is refused the same way. A GET that
 * validates only its URL is validated once per distinct URL (src/http/validated-reads.ts).
 */
export function newRouter(options: { router?: HonoRouter<[Handler, RouterRoute]> } = {}): Router {
  const router = new OpenAPIHono<AppEnv>({ ...options, defaultHook: refuseInvalid });
  validateReadsOncePerUrl(router, refuseInvalid);
  return router;
}

function refuseInvalid(result: {
  success: boolean;
  data?: unknown;
  error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
}): void {
  if (!result.success) {
    const issues = result.error?.issues ?? [];
    const issue = issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalid(`Invalid request: ${where}${issue?.message ?? 'malformed input'}`, {
      issues: issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const bad = findBadText(result.data);
  if (bad) throw invalid(`Invalid request: ${bad.path ? `${bad.path}: ` : ''}${bad.why}`);
}
