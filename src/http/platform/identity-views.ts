import { z } from '@hono/zod-openapi';
import type { Role } from '../../db/schema/index.js';
import type { Organization } from '../../db/schema/index.js';
import type { Invitation } from '../../members/invitations.js';
import type { MemberView } from '../../members/members.js';
import { DISABLED_FEATURES, type ProfileView } from '../../identity/profile.js';
import { ROLE_CATALOGUE, roleId } from '../../members/roles.js';

/**
 * Studio's identity and organization shapes (shared/reference/studio/schemas:
 * ProfileResponse, OrganizationResponse, GetSubscriptionResponse; Member,
 * OrganizationRoleResponse and invitations from ENDPOINTS.md §4(i)).
 */

export const Profile = z
  .object({
    id: z.number().int(),
    gotrue_id: z.string(),
    auth0_id: z.string(),
    primary_email: z.string(),
    username: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    mobile: z.string(),
    free_project_limit: z.number().int(),
    is_alpha_user: z.boolean(),
    is_sso_user: z.boolean(),
    disabled_features: z.array(z.string()),
  })
  .openapi('ProfileResponse');

export const renderProfile = ({ profile, user }: ProfileView): z.infer<typeof Profile> => ({
  id: profile.id,
  gotrue_id: user.id,
  auth0_id: `supaplane|${user.id}`,
  primary_email: user.email,
  username: profile.username,
  first_name: profile.firstName ?? '',
  last_name: profile.lastName ?? '',
  mobile: '',
  // Studio warns when members reach their free-project limit; Supaplane has none.
  free_project_limit: 10_000,
  is_alpha_user: false,
  is_sso_user: false,
  disabled_features: [...DISABLED_FEATURES],
});

/**
 * Every organization is on the "free" plan as far as Studio knows: billing is
 * hidden, and Studio only enables "Pause project" for free-plan projects.
 */
const PLAN = { id: 'free' as const, name: 'Free' };

export const OrganizationItem = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    billing_email: z.string().nullable(),
    billing_partner: z.null(),
    is_owner: z.boolean(),
    opt_in_tags: z.array(z.string()),
    organization_requires_mfa: z.boolean(),
    organization_missing_address: z.boolean(),
    organization_missing_tax_id: z.boolean(),
    plan: z.object({ id: z.enum(['free', 'pro', 'team', 'enterprise']), name: z.string() }),
    restriction_data: z.null(),
    restriction_status: z.null(),
    stripe_customer_id: z.null(),
    subscription_id: z.null(),
    usage_billing_enabled: z.boolean(),
    has_oriole_project: z.boolean(),
  })
  .openapi('OrganizationResponse');

export const renderOrganization = (
  organization: Organization,
  role: Role,
): z.infer<typeof OrganizationItem> => ({
  id: organization.id,
  slug: organization.slug,
  name: organization.name,
  billing_email: null,
  billing_partner: null,
  is_owner: role === 'owner',
  opt_in_tags: organization.optInTags,
  organization_requires_mfa: false,
  organization_missing_address: false,
  organization_missing_tax_id: false,
  plan: PLAN,
  restriction_data: null,
  restriction_status: null,
  stripe_customer_id: null,
  subscription_id: null,
  usage_billing_enabled: false,
  has_oriole_project: false,
});

export const Subscription = z
  .object({
    plan: z.object({ id: z.literal('free'), name: z.string() }),
    addons: z.array(
      z.object({ name: z.string(), price: z.number(), supabase_prod_id: z.string() }),
    ),
    project_addons: z.array(
      z.object({ ref: z.string(), name: z.string(), addons: z.array(z.unknown()) }),
    ),
    billing_cycle_anchor: z.number(),
    current_period_start: z.number(),
    current_period_end: z.number(),
    next_invoice_at: z.number(),
    customer_balance: z.number(),
    payment_method_type: z.string(),
    billing_via_partner: z.boolean(),
    usage_billing_enabled: z.boolean(),
    scheduled_plan_change: z.null(),
  })
  .openapi('GetSubscriptionResponse');

/** A harmless subscription: free plan, no add-ons, the current calendar month as the period. */
export function renderSubscription(now = new Date()): z.infer<typeof Subscription> {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) / 1000;
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) / 1000;
  return {
    plan: { id: 'free', name: 'Free' },
    addons: [],
    project_addons: [],
    billing_cycle_anchor: start,
    current_period_start: start,
    current_period_end: end,
    next_invoice_at: end,
    customer_balance: 0,
    payment_method_type: 'none',
    billing_via_partner: false,
    usage_billing_enabled: false,
    scheduled_plan_change: null,
  };
}

export const Member = z
  .object({
    gotrue_id: z.string(),
    username: z.string(),
    primary_email: z.string().nullable(),
    role_ids: z.array(z.number().int()),
    mfa_enabled: z.boolean(),
    is_sso_user: z.boolean().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('Member');

export const renderMember = (m: MemberView): z.infer<typeof Member> => ({
  gotrue_id: m.userId,
  username: m.username,
  primary_email: m.email,
  role_ids: [roleId(m.role)],
  mfa_enabled: false,
  is_sso_user: false,
  metadata: {},
});

const RoleItem = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  base_role_id: z.number().int(),
  project_ids: z.null(),
  projects: z.array(z.object({ ref: z.string(), name: z.string() })),
});

export const Roles = z
  .object({ org_scoped_roles: z.array(RoleItem), project_scoped_roles: z.array(RoleItem) })
  .openapi('OrganizationRoleResponse');

export const renderRoles = (): z.infer<typeof Roles> => ({
  org_scoped_roles: Object.values(ROLE_CATALOGUE).map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    base_role_id: r.id,
    project_ids: null,
    projects: [],
  })),
  project_scoped_roles: [],
});

export const InvitationItem = z.object({
  id: z.number().int(),
  invited_at: z.string(),
  invited_email: z.string(),
  role_id: z.number().int(),
});

export const renderInvitation = (i: Invitation): z.infer<typeof InvitationItem> => ({
  id: i.id,
  invited_at: i.createdAt.toISOString(),
  invited_email: i.email,
  role_id: roleId(i.role),
});
