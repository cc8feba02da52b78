import { eq } from 'drizzle-orm';
import type { Deps } from '../context.js';
import { organizations, type Organization } from '../db/schema/index.js';
import { conflict, invalid, notFound } from '../errors.js';

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'org';
}

export async function createOrganization(
  deps: Pick<Deps, 'db'>,
  input: { name: string; slug?: string },
): Promise<Organization> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 120)
    throw invalid('Organization name must be 1–120 characters');
  const slug = input.slug ?? slugify(name);
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug))
    throw invalid('Organization slug must be lowercase letters, digits and dashes');
  const [row] = await deps.db
    .insert(organizations)
    .values({ name, slug })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflict(`An organization with slug "${slug}" already exists`);
  return row;
}

export async function getOrganization(deps: Pick<Deps, 'db'>, id: number): Promise<Organization> {
  const [row] = await deps.db.select().from(organizations).where(eq(organizations.id, id));
  if (!row) throw notFound('Organization');
  return row;
}
