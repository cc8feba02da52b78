import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../../context.js';
import type { Organization } from '../../db/schema/index.js';
import { requireOrganization } from '../../members/access.js';
import { listMembers } from '../../members/members.js';
import {
  createOrganizationForUser,
  listOrganizationsForUser,
  type OPT_IN_TAGS,
} from '../../organizations/organizations.js';
import { ROLE_CATALOGUE } from '../../members/roles.js';

/**
 * Organizations as the Management API (v1) shows them. The deprecated `id` is
 * the slug, as on Supabase. Every Supaplane organization is on one plan, shown
 * as `free` like Studio's subscription page.
 */
const orgView = (o: Organization) => ({ id: o.slug, slug: o.slug, name: o.name });

export async function listV1Organizations(deps: Pick<Deps, 'db'>, { actor }: { actor: Principal }) {
  return (await listOrganizationsForUser(deps, actor)).map((m) => orgView(m.organization));
}

/** Any signed-in user may create an organization and becomes its owner. */
export async function createV1Organization(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { name: string } },
) {
  const { organization } = await createOrganizationForUser(deps, { actor, input });
  return orgView(organization);
}

export async function getV1Organization(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string } },
) {
  const { organization } = await requireOrganization(deps, actor, input.slug, 'read');
  return {
    id: organization.slug,
    name: organization.name,
    plan: 'free' as const,
    opt_in_tags: organization.optInTags as (typeof OPT_IN_TAGS)[number][],
    allowed_release_channels: ['ga' as const],
  };
}

export async function listV1OrganizationMembers(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { slug: string } },
) {
  const members = await listMembers(deps, { actor, input });
  return members.map((m) => ({
    user_id: m.userId,
    user_name: m.username,
    email: m.email,
    role_name: ROLE_CATALOGUE[m.role].name,
    mfa_enabled: false,
  }));
}
