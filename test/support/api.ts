import { randomBytes } from 'node:crypto';
import { createApp } from '../../src/app.js';
import { signAccessToken } from '../../src/auth/access-token-jwt.js';
import { sessions, type Role, type User } from '../../src/db/schema/index.js';
import { addMember, createUser } from '../../src/identity/users.js';
import { startHarness, type Harness } from './harness.js';

export const STUDIO_ORIGIN = 'http://studio.test';

export interface SignedInUser {
  user: User;
  token: string;
  /** Headers as Studio sends them. */
  headers: Record<string, string>;
}

export interface ApiHarness extends Harness {
  app: ReturnType<typeof createApp>;
  /** A new user with a live dashboard session, member of `organizationId` (default: h.org) with `role`. */
  signIn(role?: Role, organizationId?: number): Promise<SignedInUser>;
  /** Another live dashboard session for an existing user. */
  newSession(user: User): Promise<SignedInUser>;
  call(
    method: string,
    path: string,
    options?: {
      as?: SignedInUser;
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
}

export async function startApiHarness(
  options: Parameters<typeof startHarness>[0] = {},
): Promise<ApiHarness> {
  const h = await startHarness({
    ...options,
    env: { SUPAPLANE_STUDIO_ORIGINS: STUDIO_ORIGIN, ...options.env },
  });
  const app = createApp(h.deps);
  const newSession = async (user: User): Promise<SignedInUser> => {
    const [session] = await h.db.db.insert(sessions).values({ userId: user.id }).returning();
    const token = await signAccessToken(h.deps.authKey, {
      sub: user.id,
      email: user.email,
      session_id: session!.id,
      aal: 'aal1',
    });
    return {
      user,
      token,
      headers: {
        Authorization: `Bearer ${token}`,
        'X-Request-Id': crypto.randomUUID(),
        Accept: 'application/json',
        Origin: STUDIO_ORIGIN,
      },
    };
  };
  const signIn = async (role: Role = 'owner', organizationId = h.org.id): Promise<SignedInUser> => {
    const email = `user-${randomBytes(4).toString('hex')}@example.com`;
    const user = await createUser(h.deps, { email, password: 'correct horse battery' });
    await addMember(h.deps, { organizationId, userId: user.id, role });
    return newSession(user);
  };
  const call: ApiHarness['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {
      ...(opts.as?.headers ?? {}),
      ...(opts.headers ?? {}),
    };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return Object.assign(h, { app, signIn, newSession, call });
}
