import type { Context } from 'hono';
import type { Deps } from '../../context.js';
import { listOrganizationAuditLog } from '../../audit/organization-audit-log.js';
import { invalid } from '../../errors.js';
import { ALL_ENTITLEMENTS } from '../../plan/entitlements.js';
import { requireOrganization } from '../../members/access.js';
import { newRouter, type AppEnv, type Router } from '../env.js';
import { requireAuth } from '../middleware/auth.js';

/**
 * What an organization's plan allows, as Studio reads it. Supaplane has no plans or
 * billing: every entitlement is granted, usage is empty and there is no billing
 * customer. Without these answers Studio disables gated buttons (Pause) and logs a
 * failed query on every organization page.
 */
export function platformPlanRoutes(deps: Deps): Router {
  const router = newRouter();
  const auth = requireAuth(deps);
  const member = (value: unknown) => async (c: Context<AppEnv>) => {
    await requireOrganization(deps, c.get('principal'), c.req.param('slug') ?? '', 'read');
    return c.json(value as object, 200);
  };
  router.get('/:slug/entitlements', auth, member(ALL_ENTITLEMENTS));
  // LayoutHeader's usage badge reads `usages` (nothing metered here).
  router.get('/:slug/usage', auth, member({ usages: [] }));
  // The billing customer profile: none, with the fields the billing pages read.
  router.get(
    '/:slug/customer',
    auth,
    member({ address: null, billing_name: null, billing_via_partner: false }),
  );
  // Studio's audit page, and the Platform API with a personal access token: newest
  // first, `limit`/`offset` pages, the total in X-Total-Count.
  router.get('/:slug/audit', auth, async (c) => {
    const q = c.req.query();
    const page = await listOrganizationAuditLog(deps, {
      principal: c.get('principal'),
      input: {
        slug: c.req.param('slug'),
        limit: integer(q.limit, 'limit'),
        offset: integer(q.offset, 'offset'),
        from: q.iso_timestamp_start,
        to: q.iso_timestamp_end,
      },
    });
    c.header('X-Total-Count', String(page.total));
    return c.json({ result: page.result, retention_period: page.retention_period }, 200);
  });
  return router;
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value)) throw invalid(`${name} must be a non-negative integer`);
  return Number(value);
}
