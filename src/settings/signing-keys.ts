import { createHash } from 'node:crypto';
import type { Project } from '../db/schema/index.js';

/**
 * A project's JWT signing keys as the Management API lists them
 * (`SigningKeyResponse` in openapi-v1.json). Template v1 signs with one HS256
 * secret (JWT_SECRET), which Supabase calls the legacy key; there are no
 * asymmetric keys yet, so the list holds only it, in use. Its id is derived from
 * the ref so that it is stable across calls and processes.
 */
export interface SigningKeyView {
  id: string;
  algorithm: 'HS256';
  status: 'in_use';
  public_jwk: null;
  created_at: string;
  updated_at: string;
}

function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  // Version 8 ("custom") UUID with the RFC 9562 variant bits.
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function legacySigningKey(project: Pick<Project, 'ref' | 'createdAt'>): SigningKeyView {
  const at = project.createdAt.toISOString();
  return {
    id: stableUuid(`legacy-hs256:${project.ref}`),
    algorithm: 'HS256',
    status: 'in_use',
    // A symmetric key has no public part; the secret itself is never listed here.
    public_jwk: null,
    created_at: at,
    updated_at: at,
  };
}
