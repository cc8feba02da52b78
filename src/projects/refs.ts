import { randomInt } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A project ref: exactly 20 lowercase letters, the only form the Supabase CLI accepts. */
export function newProjectRef(): string {
  let ref = '';
  for (let i = 0; i < 20; i++) ref += LETTERS[randomInt(LETTERS.length)];
  return ref;
}

/** Whether `s` is exactly 20 of a-z. A loop, not /^[a-z]{20}$/: hot reads check it thrice. */
export function isProjectRef(s: string): boolean {
  if (s.length !== 20) return false;
  for (let i = 0; i < 20; i++) {
    const c = s.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** An organization slug: lowercase letters, digits and dashes, at most 63 characters. */
export const isOrganizationSlug = (s: string) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(s);
