import { randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A project ref: exactly 20 lowercase letters, the only form the Supabase CLI accepts. */
export function newProjectRef(): string {
  let ref = '';
  for (let i = 0; i < 20; i++) ref += LETTERS[randomInt(LETTERS.length)];
  return ref;
}

export const isProjectRef = (s: string) => /^[a-z]{20}$/.test(s);

/** An organization slug: lowercase letters, digits and dashes, at most 63 characters. */
export const isOrganizationSlug = (s: string) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(s);
