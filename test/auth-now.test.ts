import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/access-token-jwt.js';
import { forgetSessions } from '../src/auth/session-cache.js';
import { authenticateBearer, authenticatedNow } from '../src/identity/authentication.js';
import { freshDatabase, type TestDatabase } from './support/db.js';

// authenticatedNow is the no-promise path of cached reads: it may only ever answer
// what authenticateBearer would, and must step aside whenever that needs the database.
describe('authenticatedNow (cached reads authenticate without I/O)', () => {
  let db: TestDatabase;
  const authKey = new Uint8Array(randomBytes(32));
  const deps = () => ({ db: db.db, authKey });

  async function session(email: string, aal: 'aal1' | 'aal2' = 'aal1', factor = false) {
    const [user] = await db.sql<{ id: string }[]>`
      insert into users (email, password_hash) values (${email}, null) returning id`;
    if (factor) {
      await db.sql`insert into mfa_factors (user_id, status, key_id, nonce, ciphertext, tag)
        values (${user!.id}, 'verified', 'k', '\\x00', '\\x00', '\\x00')`;
    }
    const [s] = await db.sql<{ id: string }[]>`
      insert into sessions (user_id) values (${user!.id}) returning id`;
    const token = await signAccessToken(authKey, {
      sub: user!.id,
      email,
      session_id: s!.id,
      aal,
    });
    return { header: `Bearer ${token}`, sessionId: s!.id };
  }

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('answers only once the token and its session were checked, and then as authenticateBearer', async () => {
    const { header } = await session('now@example.com');
    expect(authenticatedNow(deps(), header)).toBeUndefined();
    const checked = await authenticateBearer(deps(), header);
    expect(authenticatedNow(deps(), header)).toEqual(checked);
    expect(authenticatedNow(deps(), header.replace(/.$/, 'x'))).toBeUndefined();
    expect(authenticatedNow(deps(), `Bearer sbp_${'0'.repeat(40)}`)).toBeUndefined();
    expect(authenticatedNow(deps(), undefined)).toBeUndefined();
  });

  it('steps aside for a revoked session, which authenticateBearer then refuses', async () => {
    const { header, sessionId } = await session('revoked@example.com');
    await authenticateBearer(deps(), header);
    await db.sql`update sessions set revoked_at = now() where id = ${sessionId}`;
    forgetSessions([sessionId]); // what revocation in this process does
    expect(authenticatedNow(deps(), header)).toBeUndefined();
    await expect(authenticateBearer(deps(), header)).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('never lets an aal1 session of a user with a second factor through', async () => {
    const { header } = await session('mfa@example.com', 'aal1', true);
    const pending = await authenticateBearer(deps(), header, { allowPendingMfa: true });
    expect(pending.mfaPending).toBe(true);
    expect(authenticatedNow(deps(), header)).toBeUndefined();
    await expect(authenticateBearer(deps(), header)).rejects.toMatchObject({ code: 'forbidden' });
    const { header: aal2 } = await session('mfa2@example.com', 'aal2', true);
    const full = await authenticateBearer(deps(), aal2);
    expect(authenticatedNow(deps(), aal2)).toEqual(full);
  });
});
