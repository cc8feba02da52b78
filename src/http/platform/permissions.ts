import { eq } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.js';
import type { Deps } from '../../context.js';
import { memberships, organizations, type Role } from '../../db/schema/index.js';
import { roleId } from '../../members/roles.js';

/**
 * One grant as Studio evaluates it (`doPermissionsCheck`): `actions`/`resources`
 * are patterns where `%` matches anything; `condition: null` always applies (a
 * missing condition never does); a `restrictive` grant that applies denies.
 */
export interface Grant {
  organization_slug: string;
  organization_id: number;
  actions: string[];
  resources: string[];
  condition: Record<string, unknown> | null;
  restrictive: boolean;
  project_refs: null;
  project_ids: null;
}

type GrantRule = Pick<Grant, 'actions' | 'resources' | 'condition' | 'restrictive'>;

// Studio's PermissionAction values that only read.
const READ_ACTIONS = [
  'read:Read',
  'analytics:Read',
  'analytics:Admin:Read',
  'billing:Read',
  'functions:Read',
  'realtime:Admin:Read',
  'secrets:Read',
  'sql:Read:Select',
  'storage:Read',
  'storage:Admin:Read',
  'tenant:Sql:Admin:Read',
  'tenant:Sql:Read:Select',
];

// Working with a project's data, which our access level `write` allows.
const DATA_WRITE_ACTIONS = [
  'tenant:%',
  'sql:%',
  'storage:Write',
  'storage:Admin:Write',
  'functions:Write',
  'auth:Execute',
  'analytics:Write',
  'analytics:Admin:Write',
];

const allow = (actions: string[], resources: string[] = ['%']): GrantRule => ({
  actions,
  resources,
  condition: null,
  restrictive: false,
});

/**
 * Grants per role, mirroring `roleAllows` in members/access.ts so Studio only
 * offers what the API will accept: administrators may not hand out or take away
 * the owner role; developers change project data and their SQL snippets, not
 * projects or members; read-only members read everything except the secrets that
 * would let them write (service_role key, JWT secret).
 */
const RULES: Record<Role, GrantRule[]> = {
  owner: [allow(['%'])],
  administrator: [
    allow(['%']),
    {
      actions: ['write:Create', 'write:Delete', 'write:Update'],
      resources: ['user_invites', 'auth.subject_roles'],
      condition: { '==': [{ var: 'resource.role_id' }, roleId('owner')] },
      restrictive: true,
    },
  ],
  developer: [allow(READ_ACTIONS), allow(DATA_WRITE_ACTIONS), allow(['write:%'], ['user_content'])],
  read_only: [
    allow(READ_ACTIONS),
    {
      actions: ['read:Read'],
      resources: ['service_api_keys', 'field.jwt_secret'],
      condition: null,
      restrictive: true,
    },
  ],
};

/** `GET /platform/profile/permissions`: every grant for every organization the user belongs to. */
export async function listPermissions(
  deps: Pick<Deps, 'db'>,
  principal: Principal,
): Promise<Grant[]> {
  const rows = await deps.db
    .select({ id: organizations.id, slug: organizations.slug, role: memberships.role })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, principal.userId))
    .orderBy(organizations.id);
  return rows.flatMap((org) =>
    RULES[org.role].map((rule) => ({
      organization_slug: org.slug,
      organization_id: org.id,
      ...rule,
      actions: [...rule.actions],
      resources: [...rule.resources],
      project_refs: null,
      project_ids: null,
    })),
  );
}
