import { z } from 'zod';
import { expect } from 'vitest';

/**
 * The fields Studio's code reads from answers that have no schema in
 * ../shared/reference/studio/schemas, each from the Studio source that reads it.
 */
export const STUDIO_SHAPES = {
  // hooks/misc/useCheckEntitlements.ts@0083f48f: entitlements.find(e => e.feature.key === key),
  // hasAccess, type, config.{enabled, unlimited, value, set}.
  entitlements: z.object({
    entitlements: z.array(
      z.object({
        feature: z.object({ key: z.string() }),
        hasAccess: z.boolean(),
        type: z.enum(['boolean', 'numeric', 'set']),
        config: z.union([
          z.object({ enabled: z.boolean(), unlimited: z.boolean(), value: z.number() }),
          z.object({ enabled: z.boolean(), set: z.array(z.string()) }),
          z.object({ enabled: z.boolean() }),
        ]),
      }),
    ),
  }),
  // LayoutHeader's usage badge: `usages`.
  usage: z.object({ usages: z.array(z.unknown()) }),
  // data/branches/branches-query.ts@057717e9: a list of BranchResponse.
  branches: z.array(z.unknown()),
  // data/jwt-signing-keys: `keys[]` with algorithm, status, public_jwk.
  signingKeys: z.object({
    keys: z.array(
      z.object({
        id: z.string().uuid(),
        algorithm: z.string(),
        status: z.string(),
        public_jwk: z.unknown(),
        created_at: z.string(),
        updated_at: z.string(),
      }),
    ),
  }),
  // data/organizations/organization-audit-logs-query.ts@0a7fd13f (AuditLog).
  auditLogs: z.object({
    result: z.array(
      z.object({
        action: z.object({
          name: z.string(),
          metadata: z.array(z.record(z.string(), z.unknown())),
        }),
        actor: z.object({
          id: z.string(),
          type: z.string(),
          metadata: z.array(z.object({ email: z.string().optional() })),
        }),
        target: z.object({
          description: z.string(),
          metadata: z.object({
            org_slug: z.string().optional(),
            project_ref: z.string().optional(),
          }),
        }),
        occurred_at: z.string(),
      }),
    ),
    retention_period: z.number(),
  }),
  // auth-js mfa.enroll (GoTrue EnrollFactorResponse), mfa.challenge (ChallengeFactorResponse).
  enrolledFactor: z.object({
    id: z.string(),
    type: z.literal('totp'),
    friendly_name: z.string(),
    totp: z.object({ qr_code: z.string(), secret: z.string(), uri: z.string() }),
  }),
  challenge: z.object({ id: z.string(), type: z.literal('totp'), expires_at: z.number() }),
} as const;

export function expectStudioShape(name: keyof typeof STUDIO_SHAPES, body: unknown): void {
  const parsed = STUDIO_SHAPES[name].safeParse(body);
  expect(parsed.success ? [] : parsed.error.issues, `${name} shape`).toEqual([]);
}
