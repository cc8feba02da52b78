import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../../context.js';
import { invalid } from '../../errors.js';
import {
  challengeFactor,
  enrollTotp,
  factorView,
  listFactors,
  unenrollFactor,
  verifyFactor,
} from '../../mfa/factors.js';
import type { AppEnv, Router } from '../env.js';
import { GoTrueSession, gotrueErrors, renderSession } from './views.js';
import { secured } from '../secured.js';
import { bearer, jsonBody, jsonResponse } from '../schemas.js';

/**
 * GoTrue's MFA endpoints for the dashboard login (auth-js `mfa.enroll`, `challenge`,
 * `verify`, `unenroll`; Account → Security): TOTP only (phone and WebAuthn are off,
 * as GoTrue answers when their enroll is disabled).
 */
const tags = ['Dashboard auth (GoTrue-compatible)'];
const FactorParam = z.object({
  factorId: z
    .string()
    .max(64)
    .openapi({ param: { name: 'factorId', in: 'path' } }),
});

const enroll = createRoute({
  method: 'post',
  path: '/factors',
  tags,
  summary: 'Enroll a TOTP factor (unverified until its first code is verified)',
  security: bearer,
  request: {
    body: jsonBody(
      z.object({
        factor_type: z.string().max(32),
        friendly_name: z.string().max(256).optional(),
        issuer: z.string().max(256).optional(),
      }),
    ),
  },
  responses: {
    200: jsonResponse(
      z.object({
        id: z.string(),
        type: z.literal('totp'),
        friendly_name: z.string(),
        totp: z.object({ qr_code: z.string(), secret: z.string(), uri: z.string() }),
      }),
    ),
    ...gotrueErrors,
  },
});
const challenge = createRoute({
  method: 'post',
  path: '/factors/{factorId}/challenge',
  tags,
  summary: 'Start a challenge for a factor',
  security: bearer,
  request: {
    params: FactorParam,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({}).passthrough() } },
    },
  },
  responses: {
    200: jsonResponse(
      z.object({ id: z.string(), type: z.literal('totp'), expires_at: z.number() }),
    ),
    ...gotrueErrors,
  },
});
const verify = createRoute({
  method: 'post',
  path: '/factors/{factorId}/verify',
  tags,
  summary: 'Verify a challenge with a TOTP code; the session becomes aal2 (new tokens)',
  security: bearer,
  request: {
    params: FactorParam,
    body: jsonBody(z.object({ challenge_id: z.string().max(64), code: z.string().max(16) })),
  },
  responses: { 200: jsonResponse(GoTrueSession), ...gotrueErrors },
});
const unenroll = createRoute({
  method: 'delete',
  path: '/factors/{factorId}',
  tags,
  summary: 'Unenroll a factor (a verified one needs an aal2 session)',
  security: bearer,
  request: { params: FactorParam },
  responses: { 200: jsonResponse(z.object({ id: z.string() })), ...gotrueErrors },
});

export function gotrueFactorRoutes(
  deps: Deps,
  router: Router,
  auth: MiddlewareHandler<AppEnv>,
  clientAddress: (c: Context<AppEnv>) => string,
): void {
  router.openapi(secured(enroll, auth), async (c) => {
    const body = c.req.valid('json');
    if (body.factor_type !== 'totp') {
      throw invalid('factor_type needs to be totp (phone and webauthn are not enabled)');
    }
    const enrolled = await enrollTotp(deps, {
      principal: c.get('principal'),
      input: { friendlyName: body.friendly_name, issuer: body.issuer },
    });
    c.header('Cache-Control', 'no-store');
    return c.json(enrolled, 200);
  });
  router.openapi(secured(challenge, auth), async (c) =>
    c.json(
      await challengeFactor(deps, {
        principal: c.get('principal'),
        input: { factorId: c.req.valid('param').factorId, address: clientAddress(c) },
      }),
      200,
    ),
  );
  router.openapi(secured(verify, auth), async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const issued = await verifyFactor(deps, {
      principal,
      input: {
        factorId: c.req.valid('param').factorId,
        challengeId: body.challenge_id,
        code: body.code,
      },
    });
    c.header('Cache-Control', 'no-store');
    const factors = (await listFactors(deps, principal.userId)).map(factorView);
    return c.json(renderSession(issued, factors), 200);
  });
  router.openapi(secured(unenroll, auth), async (c) =>
    c.json(
      await unenrollFactor(deps, {
        principal: c.get('principal'),
        input: { factorId: c.req.valid('param').factorId },
      }),
      200,
    ),
  );
}
