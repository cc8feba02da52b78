import { ROLES, type Role } from '../db/schema/index.js';
import { invalid } from '../errors.js';

/**
 * The four organization roles as Studio's team page lists them. Studio refers to
 * roles by numeric id (`role_ids`, `role_id`), so each role has a fixed id, the
 * same in every organization; there are no custom or project-scoped roles.
 */
export const ROLE_CATALOGUE: Record<Role, { id: number; name: string; description: string }> = {
  owner: { id: 1, name: 'Owner', description: 'Full access, including deleting the organization' },
  administrator: {
    id: 2,
    name: 'Administrator',
    description: 'Manages projects and members; cannot delete the organization or manage owners',
  },
  developer: {
    id: 3,
    name: 'Developer',
    description: "Works with projects' data: SQL, tables, auth users, storage",
  },
  read_only: { id: 4, name: 'Read-only', description: 'Sees everything, changes nothing' },
};

export const roleId = (role: Role) => ROLE_CATALOGUE[role].id;

export function roleById(id: number): Role {
  const role = ROLES.find((r) => ROLE_CATALOGUE[r].id === id);
  if (!role) {
    throw invalid(`Unknown role id ${id}`, {
      roles: ROLES.map((r) => ({ id: ROLE_CATALOGUE[r].id, name: ROLE_CATALOGUE[r].name })),
    });
  }
  return role;
}
