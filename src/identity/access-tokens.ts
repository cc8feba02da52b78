import { randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Principal } from '../auth/principal.js';
import type { Deps } from '../context.js';
import { accessTokens, auditLog } from '../db/schema/index.js';
import { AppError, invalid, notFound } from '../errors.js';
import { hashToken, PAT_PATTERN } from './authentication.js';

/** What Studio's access-token page shows; never the token itself. */
export interface AccessTokenView {
  id: number;
  name: string;
  token_alias: string;
  scope: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

type Row = typeof accessTokens.$inferSelect;

const view = (row: Row): AccessTokenView => ({
  id: row.id,
  name: row.name,
  token_alias: row.tokenAlias,
  scope: row.scope,
  created_at: row.createdAt.toISOString(),
  expires_at: row.expiresAt?.toISOString() ?? null,
  last_used_at: row.lastUsedAt?.toISOString() ?? null,
});

/** `sbp_` + 40 lowercase hex: the only form the Supabase CLI accepts. */
export function newPersonalAccessToken(): string {
  const token = `sbp_${randomBytes(20).toString('hex')}`;
  if (!PAT_PATTERN.test(token)) throw new Error('generated token has the wrong format');
  return token;
}

/** Enough of the token to tell it apart in a list (20 of its 160 bits). */
const aliasOf = (token: string) => `${token.slice(0, 9)}…${token.slice(-4)}`;

export interface CreateAccessTokenInput {
  name: string;
  scope?: string | null;
  expiresAt?: Date | null;
}

/** Creates a token for the caller. The clear token is in the result only, never stored. */
export async function createAccessToken(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: CreateAccessTokenInput },
): Promise<AccessTokenView & { token: string }> {
  // A leaked token must not be able to outlive its own revocation by minting others.
  if (actor.via === 'access_token') {
    throw new AppError(
      'forbidden',
      'Access tokens can only be created from a dashboard session or the supaplane CLI',
    );
  }
  const name = input.name.trim();
  if (name.length < 1 || name.length > 256) throw invalid('Token name must be 1–256 characters');
  if (input.scope != null && input.scope !== 'V0') throw invalid('Token scope must be "V0"');
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw invalid('expires_at must be in the future');
  }
  const token = newPersonalAccessToken();
  const row = await deps.db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(accessTokens)
      .values({
        userId: actor.userId,
        name,
        tokenHash: hashToken(token),
        tokenAlias: aliasOf(token),
        scope: input.scope ?? 'V0',
        expiresAt: input.expiresAt ?? null,
      })
      .returning();
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: 'access_token.create',
      detail: { tokenId: inserted!.id, name, expiresAt: input.expiresAt?.toISOString() ?? null },
    });
    return inserted!;
  });
  return { ...view(row), token };
}

export async function listAccessTokens(
  deps: Pick<Deps, 'db'>,
  { actor }: { actor: Principal },
): Promise<AccessTokenView[]> {
  const rows = await deps.db
    .select()
    .from(accessTokens)
    .where(eq(accessTokens.userId, actor.userId))
    .orderBy(desc(accessTokens.createdAt), desc(accessTokens.id));
  return rows.map(view);
}

/** Revokes (deletes) one of the caller's tokens; another user's token is "not found". */
export async function revokeAccessToken(
  deps: Pick<Deps, 'db'>,
  { actor, input }: { actor: Principal; input: { id: number } },
): Promise<AccessTokenView> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .delete(accessTokens)
      .where(and(eq(accessTokens.id, input.id), eq(accessTokens.userId, actor.userId)))
      .returning();
    if (!row) throw notFound(`Access token ${input.id}`);
    await tx.insert(auditLog).values({
      actor: actor.userId,
      action: 'access_token.revoke',
      detail: { tokenId: row.id, name: row.name },
    });
    return view(row);
  });
}
