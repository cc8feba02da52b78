import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateProjectSecrets } from '../src/secrets/generate.js';

describe('project secrets', () => {
  it('are long, safe for .env files, and distinct', async () => {
    const a = await generateProjectSecrets('v1');
    const b = await generateProjectSecrets('v1');
    for (const [name, value] of Object.entries(a)) {
      expect(value, name).toMatch(/^[A-Za-z0-9._-]+$/);
      if (name !== 'DASHBOARD_USERNAME') expect(value, name).not.toBe(b[name as keyof typeof b]);
    }
    expect(a.JWT_SECRET.length).toBeGreaterThanOrEqual(40);
    expect(a.REALTIME_DB_ENC_KEY).toHaveLength(16);
    expect(a.SUPABASE_PUBLISHABLE_KEY).toMatch(/^sb_publishable_[A-Za-z0-9]{22}_[A-Za-z0-9]{8}$/);
    expect(a.SUPABASE_SECRET_KEY).toMatch(/^sb_secret_[A-Za-z0-9]{22}_[A-Za-z0-9]{8}$/);
  });

  it('signs anon and service_role keys with the project JWT secret', async () => {
    const s = await generateProjectSecrets('v1');
    const key = new TextEncoder().encode(s.JWT_SECRET);
    const anon = await jwtVerify(s.SUPABASE_ANON_KEY, key, {
      issuer: 'supabase',
      algorithms: ['HS256'],
    });
    expect(anon.payload.role).toBe('anon');
    expect(anon.payload.exp! - anon.payload.iat!).toBeGreaterThan(365 * 24 * 3600);
    const service = await jwtVerify(s.SUPABASE_SERVICE_KEY, key);
    expect(service.payload.role).toBe('service_role');
    await expect(
      jwtVerify(s.SUPABASE_ANON_KEY, new TextEncoder().encode('x'.repeat(48))),
    ).rejects.toThrow();
  });

  it('v2: a password per login role, and nothing v2 does not use (C3, C8)', async () => {
    const s = await generateProjectSecrets('v2');
    const passwords = [
      s.POSTGRES_PASSWORD,
      s.SUPABASE_ADMIN_PASSWORD,
      s.AUTHENTICATOR_PASSWORD,
      s.AUTH_ADMIN_PASSWORD,
      s.STORAGE_ADMIN_PASSWORD,
      s.PGBOUNCER_PASSWORD,
    ];
    expect(new Set(passwords).size).toBe(6);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
    for (const unused of [
      'DASHBOARD_USERNAME',
      'DASHBOARD_PASSWORD',
      'VAULT_ENC_KEY',
      'LOGFLARE_PUBLIC_ACCESS_TOKEN',
    ])
      expect(s, unused).not.toHaveProperty(unused);
    await expect(generateProjectSecrets('v9')).rejects.toThrow(/v9/);
  });
});
