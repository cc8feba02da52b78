import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/access-token-jwt.js';
import { loadDashboardSigningKey } from '../src/auth/keys.js';
import { runCli } from '../src/cli/main.js';
import { ConfigError, parseConfig } from '../src/config/config.js';
import { seal, type Keyring } from '../src/crypto/envelope.js';
import { keyringFromConfig, keyringFromSpecs } from '../src/crypto/keyring.js';
import * as schema from '../src/db/schema/index.js';
import { functionSecrets } from '../src/db/schema/index.js';
import { ENVELOPE_TABLES } from '../src/keys/envelope-tables.js';
import { envelopeUsage } from '../src/keys/rotate.js';
import { loadProjectSecrets, saveProjectSecrets } from '../src/secrets/store.js';
import { functionSecretAad, functionSecretsEnv } from '../src/functions/function-secrets.js';
import { createProject } from '../src/projects/projects.js';
import { startHarness, TEST_KEY, type Harness } from './support/harness.js';

const K1 = { id: 'k1', key: TEST_KEY };
const K2 = { id: 'k2', key: Buffer.alloc(32, 99).toString('base64') };
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'supaplane.mjs');

describe('SUPAPLANE_ENCRYPTION_KEYS', () => {
  it('lists the active key first, then retired keys; comma or new-line separated', () => {
    const c = parseConfig({ SUPAPLANE_ENCRYPTION_KEYS: `k2:${K2.key}, k1:${K1.key}` });
    const ring = keyringFromConfig(c, () => {
      throw new Error('no local key wanted');
    });
    expect(ring.activeKeyId).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
  });

  it('is read from SUPAPLANE_ENCRYPTION_KEYS_FILE, one key per line', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'keys');
    writeFileSync(file, `# active first\nk2:${K2.key}\nk1:${K1.key}\n`);
    const c = parseConfig({
      DATABASE_URL: 'postgres://u@h/db',
      SUPAPLANE_ENCRYPTION_KEYS_FILE: file,
    });
    expect(c.SUPAPLANE_ENCRYPTION_KEYS).toEqual([K2, K1]);
  });

  it('keeps SUPAPLANE_ENCRYPTION_KEY working as the single active key k1', () => {
    const ring = keyringFromConfig(parseConfig({ SUPAPLANE_ENCRYPTION_KEY: K1.key }), () => '');
    expect(ring.activeKeyId).toBe('k1');
    expect([...ring.keys.keys()]).toEqual(['k1']);
  });

  it('names what is wrong without echoing a key', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env);
        return '';
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
    };
    expect(problems({ SUPAPLANE_ENCRYPTION_KEYS: `k1:short` })).toMatch(
      /SUPAPLANE_ENCRYPTION_KEYS: key k1 must be 32 bytes/,
    );
    expect(problems({ SUPAPLANE_ENCRYPTION_KEYS: K1.key })).toMatch(
      /entry 1 must be <id>:<base64 key>/,
    );
    expect(problems({ SUPAPLANE_ENCRYPTION_KEYS: `k1:${K1.key},k1:${K2.key}` })).toMatch(
      /k1 appears twice/,
    );
    const both = problems({
      SUPAPLANE_ENCRYPTION_KEY: K1.key,
      SUPAPLANE_ENCRYPTION_KEYS: `k2:${K2.key}`,
    });
    expect(both).toMatch(/not both/);
    expect(both).not.toContain(K2.key);
  });
});

describe('the envelope tables', () => {
  it('are every table of the schema with envelope columns', () => {
    const withEnvelopes = (Object.values(schema) as unknown[])
      .filter((t): t is PgTable => is(t, PgTable))
      .map((t) => getTableConfig(t))
      .filter((t) =>
        ['key_id', 'nonce', 'ciphertext', 'tag'].every((c) => t.columns.some((x) => x.name === c)),
      )
      .map((t) => t.name)
      .sort();
    expect(withEnvelopes).toEqual(ENVELOPE_TABLES.map((t) => t.name).sort());
    expect(withEnvelopes).toEqual([
      'backup_keys',
      'edge_function_versions',
      'function_delivery_tokens',
      'function_secrets',
      'instance_secrets',
      'mfa_factors',
      'project_secrets',
      'project_setting_secrets',
    ]);
  });
});

describe('rotating from k1 to k2', () => {
  let h: Harness;
  let projectId: number;
  // The project as functionSecretsEnv needs it; delivered names depend on its template.
  let project: { id: number; templateVersion: string };
  const delivered = (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).map(([k, v]) => [k.replace(/^SUPAPLANE_FN_/, ''), v]));
  let token: string;
  const k2WithK1 = keyringFromSpecs([K2, K1]);
  const k2Only = keyringFromSpecs([K2]);
  const k1Only = keyringFromSpecs([K1]);

  /** Function secrets sealed as src/functions/function-secrets.ts seals them. */
  const addFunctionSecrets = async (ring: Keyring, names: string[]) => {
    await h.db.db.insert(functionSecrets).values(
      names.map((name) => ({
        projectId,
        name,
        ...seal(ring, `value of ${name}`, functionSecretAad(projectId, name)),
      })),
    );
  };

  const cli = async (argv: string[], keys: string) => {
    let out = '';
    let err = '';
    const code = await runCli(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { ...h.env, SUPAPLANE_ENCRYPTION_KEY: '', SUPAPLANE_ENCRYPTION_KEYS: keys },
    });
    return { code, out, err };
  };
  const keysEnv = (...specs: { id: string; key: string }[]) =>
    specs.map((s) => `${s.id}:${s.key}`).join(',');

  beforeAll(async () => {
    h = await startHarness({ startRunner: false });
    const p = await createProject(h.deps, {
      actor: { id: 'test' },
      input: { organizationId: h.org.id, name: 'Rotated' },
    });
    projectId = p.id;
    project = { id: p.id, templateVersion: p.templateVersion };
    await addFunctionSecrets(k1Only, ['ALPHA', 'BETA', 'GAMMA']);
    // A dashboard session signed before the rotation (the harness loads the key as runtime.ts does).
    token = await signAccessToken(h.deps.authKey, {
      sub: 'u1',
      email: 'a@example.com',
      session_id: 's1',
      aal: 'aal1',
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads k1 envelopes with k2 active and k1 retired, and seals new ones with k2', async () => {
    const secrets = await loadProjectSecrets(h.db.db, k2WithK1, projectId);
    expect(secrets).toEqual(await loadProjectSecrets(h.db.db, k1Only, projectId));
    expect(delivered(await functionSecretsEnv(h.db.db, k2WithK1, project))).toMatchObject({
      ALPHA: 'value of ALPHA',
    });
    await expect(loadProjectSecrets(h.db.db, k2Only, projectId)).rejects.toThrow(/no key k1/);
    await addFunctionSecrets(k2WithK1, ['DELTA']);
    const usage = await envelopeUsage(h.db.db);
    expect(usage).toEqual(
      expect.arrayContaining([
        { table: 'function_secrets', keyId: 'k1', count: 3 },
        { table: 'function_secrets', keyId: 'k2', count: 1 },
        { table: 'project_secrets', keyId: 'k1', count: 1 },
        { table: 'instance_secrets', keyId: 'k1', count: 1 },
      ]),
    );
  });

  it('doctor fails while a key in use is not loaded and warns while a retired key is in use', async () => {
    const missing = await cli(['doctor'], keysEnv(K2));
    expect(missing.out).toMatch(
      /✘ Every secret sealed with the active key: no loaded key opens .*under k1/,
    );
    const retired = await cli(['doctor'], keysEnv(K2, K1));
    expect(retired.out).toContain(
      '✔ Encryption key present: SUPAPLANE_ENCRYPTION_KEYS (active k2, retired k1)',
    );
    expect(retired.out).toMatch(
      /⚠ Every secret sealed with the active key: still under a retired key: 1 in project_secrets under k1, 3 in function_secrets under k1, 1 in instance_secrets under k1/,
    );
    expect(retired.out).toContain('fix: run `supaplane keys rotate`');
  });

  it('an interrupted run (--limit) resumes where it stopped', async () => {
    const first = await cli(
      ['keys', 'rotate', '--limit', '2', '--batch-size', '1'],
      keysEnv(K2, K1),
    );
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('2 envelopes re-sealed.');
    expect(first.out).toContain('⚠ Still under an old key:');
    const old = (await envelopeUsage(h.db.db)).filter((u) => u.keyId === 'k1');
    expect(old.reduce((n, u) => n + u.count, 0)).toBe(3);

    const rest = await cli(['keys', 'rotate', '--json'], keysEnv(K2, K1));
    expect(rest.code, rest.err).toBe(0);
    expect(JSON.parse(rest.out)).toEqual({
      activeKeyId: 'k2',
      resealed: 3,
      remaining: [],
      unreadable: [],
    });
  });

  it('after the rotation k1 can be removed: everything opens with k2 alone, sessions survive', async () => {
    expect((await envelopeUsage(h.db.db)).every((u) => u.keyId === 'k2')).toBe(true);
    expect(await loadProjectSecrets(h.db.db, k2Only, projectId)).toEqual(
      await loadProjectSecrets(h.db.db, k2WithK1, projectId),
    );
    expect(delivered(await functionSecretsEnv(h.db.db, k2Only, project))).toEqual({
      ALPHA: 'value of ALPHA',
      BETA: 'value of BETA',
      GAMMA: 'value of GAMMA',
      DELTA: 'value of DELTA',
    });
    // The signing key kept its value through the re-seal: the old session still verifies.
    const signing = await loadDashboardSigningKey(h.db.db, k2Only);
    expect(Buffer.from(signing).equals(Buffer.from(h.deps.authKey))).toBe(true);
    await expect(jwtVerify(token, signing)).resolves.toMatchObject({ payload: { sub: 'u1' } });
    const doctor = await cli(['doctor'], keysEnv(K2));
    expect(doctor.out).toContain('✔ Every secret sealed with the active key: k2');
    // A write after the rotation is sealed with k2.
    const secrets = (await loadProjectSecrets(h.db.db, k2Only, projectId))!;
    await saveProjectSecrets(h.db.db, k2Only, projectId, secrets);
    const done = await cli(['keys', 'rotate'], keysEnv(K2));
    expect(done.out).toContain('✔ Every envelope uses k2.');
  });

  it('a rotation killed halfway (SIGKILL) resumes and loses nothing', async () => {
    const K3 = { id: 'k3', key: Buffer.alloc(32, 3).toString('base64') };
    const names = Array.from({ length: 400 }, (_, i) => `BULK_${i}`);
    await addFunctionSecrets(k2Only, names);
    const env = {
      ...h.env,
      SUPAPLANE_ENCRYPTION_KEY: '',
      SUPAPLANE_ENCRYPTION_KEYS: keysEnv(K3, K2),
    };
    const killed = await new Promise<{ signal: NodeJS.Signals | null; err: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'keys', 'rotate', '--batch-size', '1'], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          // Kill it as soon as it has committed a few batches of function_secrets.
          if (/function_secrets: 5 re-sealed/.test(err)) child.kill('SIGKILL');
        });
        child.once('error', reject);
        child.once('exit', (_code, signal) => resolve({ signal, err }));
      },
    );
    expect(killed.signal, killed.err).toBe('SIGKILL');
    const halfway = await envelopeUsage(h.db.db);
    const count = (id: string) =>
      halfway.filter((u) => u.keyId === id).reduce((n, u) => n + u.count, 0);
    expect(count('k3')).toBeGreaterThanOrEqual(5);
    expect(count('k2')).toBeGreaterThan(0);

    const resumed = await cli(['keys', 'rotate', '--json'], keysEnv(K3, K2));
    expect(resumed.code, resumed.err).toBe(0);
    const report = JSON.parse(resumed.out) as { resealed: number; remaining: unknown[] };
    expect(report.remaining).toEqual([]);
    expect(report.resealed).toBe(count('k2'));
    const k3Only = keyringFromSpecs([K3]);
    const env3 = delivered(await functionSecretsEnv(h.db.db, k3Only, project));
    expect(Object.keys(env3)).toHaveLength(names.length + 4);
    for (const name of names) expect(env3[name]).toBe(`value of ${name}`);
    expect(await loadProjectSecrets(h.db.db, k3Only, projectId)).toBeDefined();
    const signing = await loadDashboardSigningKey(h.db.db, k3Only);
    await expect(jwtVerify(token, signing)).resolves.toBeDefined();
  });
});
