import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import type { CliIo } from '../src/cli/io.js';
import { keyringFromBase64 } from '../src/crypto/envelope.js';
import { loadProjectSecrets } from '../src/secrets/store.js';
import { authenticateBearer } from '../src/identity/authentication.js';
import { getProjectByRef } from '../src/projects/projects.js';
import { startCoolifySim, type CoolifySim } from './coolify-sim/index.js';
import { freshDatabase, type TestDatabase } from './support/db.js';
import { TEST_KEY } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'supaplane.mjs');
const TOKENS = {
  'root-token': ['root'],
  'no-sensitive-token': ['read', 'write', 'deploy'],
  'write-deploy-token': ['write', 'deploy'],
};

let sim: CoolifySim;
let db: TestDatabase;
let env: Record<string, string>;
let serverIp: string;

interface Result {
  code: number;
  out: string;
  err: string;
}

/** The CLI's main function, in this process, with buffers for stdout and stderr. */
async function cli(
  argv: string[],
  opts: {
    env?: Record<string, string>;
    stdin?: string;
    tty?: boolean;
    lookup?: CliIo['lookup'];
  } = {},
): Promise<Result> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s), isTTY: opts.tty },
    stdin: opts.stdin === undefined ? undefined : Readable.from([opts.stdin]),
    env: { ...env, ...opts.env },
    lookup: opts.lookup ?? (async () => [serverIp]),
    pollMs: 40,
  });
  return { code, out, err };
}

/** The real `supaplane` bin in a child process, with only this environment. */
function spawnCli(argv: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(async () => {
  sim = await startCoolifySim({ tokens: TOKENS });
  db = await freshDatabase();
  serverIp = sim.state.servers[0]!.ip;
  env = {
    DATABASE_URL: db.url,
    SUPAPLANE_ENCRYPTION_KEY: TEST_KEY,
    COOLIFY_URL: sim.url,
    COOLIFY_TOKEN: 'root-token',
    COOLIFY_SERVER_UUIDS: sim.state.servers[0]!.uuid,
    COOLIFY_TIMEOUT_MS: '2000',
    SUPAPLANE_PROJECT_DOMAIN: 'projects.example.com',
    SUPAPLANE_GATEWAY_URL: sim.gatewayUrlTemplate,
    SUPAPLANE_JOB_POLL_MS: '20',
    SUPAPLANE_RECONCILE_INTERVAL_MS: '100',
  };
});
afterAll(async () => {
  await db?.drop();
  await sim?.close();
});

describe('supaplane CLI', () => {
  let org: string;
  let ref: string;

  it('prints usage, and exits 2 on an unknown command or option', async () => {
    expect((await cli(['--help'])).code).toBe(0);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('Unknown command: frobnicate');
    const badOption = await cli(['orgs', 'list', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.err).toMatch(/Unknown option '--colour'/);
  });

  it('orgs create and orgs list (spawned bin)', async () => {
    const created = await spawnCli(['orgs', 'create', 'Acme Corp']);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    expect(created.out).toContain('✔ Created organization acme-corp');
    org = 'acme-corp';
    const dup = await cli(['orgs', 'create', 'Acme Corp']);
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('already exists');
    const list = await cli(['orgs', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ slug: 'acme-corp', name: 'Acme Corp', projects: 0, members: 0 }),
    ]);
  });

  it('users create (password from stdin or generated) and tokens create', async () => {
    const withStdin = await cli(
      [
        'users',
        'create',
        'ada@example.com',
        '--password-stdin',
        '--org',
        org,
        '--role',
        'developer',
      ],
      { stdin: 'correct horse battery\n' },
    );
    expect(withStdin.code).toBe(0);
    expect(withStdin.out).toContain('✔ Created user ada@example.com (developer of acme-corp)');
    expect(withStdin.out).not.toContain('password:');

    const generated = await cli(['users', 'create', 'grace@example.com', '--json']);
    expect(generated.code).toBe(0);
    expect(JSON.parse(generated.out)).toMatchObject({
      email: 'grace@example.com',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/),
    });
    const badRole = await cli(['users', 'create', 'x@example.com', '--role', 'king']);
    expect(badRole.code).toBe(2);

    const token = await cli(['tokens', 'create', '--user', 'ada@example.com', '--name', 'ci']);
    expect(token.code).toBe(0);
    const pat = token.out.trim();
    expect(pat).toMatch(/^sbp_[0-9a-f]{40}$/);
    expect(token.err).toContain('shown once');
    const principal = await authenticateBearer(
      { db: db.db, authKey: new Uint8Array(32) },
      `Bearer ${pat}`,
    );
    expect(principal.email).toBe('ada@example.com');
    expect((await cli(['tokens', 'create', '--user', 'nobody@example.com'])).code).toBe(1);
    expect((await cli(['tokens', 'create'])).code).toBe(2);
  });

  it('projects create shows progress and exits 0 once ACTIVE_HEALTHY', async () => {
    const r = await cli(['projects', 'create', 'Shop', '--org', org, '--json']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { ref: string; status: string; url: string };
    ref = out.ref;
    expect(out.status).toBe('ACTIVE_HEALTHY');
    expect(out.url).toBe(`https://${ref}.projects.example.com`);
    // Plain lines when stderr is not a terminal: one per change, then the verdict.
    expect(r.err).toContain(`Creating ${ref} (Shop) in acme-corp`);
    expect(r.err).toMatch(new RegExp(`^${ref} COMING_UP`, 'm'));
    expect(r.err).toContain(`✔ ${ref} ACTIVE_HEALTHY`);
    expect(r.err).not.toContain('\x1b[');
  });

  it('projects list, as a table and as JSON', async () => {
    const table = await cli(['projects', 'list']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^REF\s+NAME\s+ORG\s+STATUS/);
    expect(table.out).toMatch(new RegExp(`${ref}\\s+Shop\\s+acme-corp\\s+ACTIVE_HEALTHY`));
    const json = JSON.parse((await cli(['projects', 'list', '--org', org, '--json'])).out);
    expect(json).toEqual([expect.objectContaining({ ref, status: 'ACTIVE_HEALTHY' })]);
    expect((await cli(['projects', 'list', '--org', 'nope'])).code).toBe(1);
  });

  it('keys <ref> prints the stored keys', async () => {
    const r = await cli(['keys', ref, '--json']);
    expect(r.code).toBe(0);
    const project = await getProjectByRef({ db: db.db }, ref);
    const secrets = (await loadProjectSecrets(db.db, keyringFromBase64(TEST_KEY), project.id))!;
    expect(JSON.parse(r.out)).toEqual({
      ref,
      url: `https://${ref}.projects.example.com`,
      anon: secrets.SUPABASE_ANON_KEY,
      service_role: secrets.SUPABASE_SERVICE_KEY,
      publishable: secrets.SUPABASE_PUBLISHABLE_KEY,
      secret: secrets.SUPABASE_SECRET_KEY,
    });
    const text = await cli(['keys', ref]);
    expect(text.out).toContain(`anon:         ${secrets.SUPABASE_ANON_KEY}`);
    const missing = await cli(['keys', 'zzzzzzzzzzzzzzzzzzzz']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Project zzzzzzzzzzzzzzzzzzzz not found');
  });

  it('functions deploy, list and delete <ref>', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fn-cli-'));
    const fnDir = path.join(dir, 'hello-cli');
    mkdirSync(path.join(fnDir, 'lib'), { recursive: true });
    writeFileSync(
      path.join(fnDir, 'index.ts'),
      "import './lib/x.ts'\nDeno.serve(() => new Response('hi'))",
    );
    writeFileSync(path.join(fnDir, 'lib', 'x.ts'), 'export {}');
    try {
      const first = await cli(['functions', 'deploy', ref, fnDir, '--json']);
      expect(first.code, first.err).toBe(0);
      expect(JSON.parse(first.out)).toMatchObject({
        slug: 'hello-cli',
        version: 1,
        verify_jwt: true,
        entrypoint_path: 'index.ts',
      });
      const second = await cli(['functions', 'deploy', ref, fnDir, '--no-verify-jwt']);
      expect(second.out).toContain(`Deployed hello-cli version 2 to ${ref}`);
      const table = await cli(['functions', 'list', ref]);
      expect(table.out).toMatch(/^SLUG\s+NAME\s+VERSION\s+VERIFY_JWT/);
      expect(table.out).toMatch(/hello-cli\s+hello-cli\s+2\s+false/);
      const missing = await cli(['functions', 'deploy', ref, fnDir, '--entrypoint', 'main.ts']);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('is not one of the files');
      expect((await cli(['functions', 'delete', ref, 'hello-cli'])).code).toBe(0);
      expect(JSON.parse((await cli(['functions', 'list', ref, '--json'])).out)).toEqual([]);
      expect((await cli(['functions', 'delete', ref, 'hello-cli'])).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('projects pause and restore wait for INACTIVE and ACTIVE_HEALTHY; a status line on a TTY', async () => {
    const pause = await cli(['projects', 'pause', ref]);
    expect(pause.code, pause.err).toBe(0);
    expect(pause.out.trim()).toBe(`${ref} INACTIVE`);
    expect(pause.err).toContain(`✔ ${ref} INACTIVE`);
    expect(
      sim.state.services.get((await getProjectByRef({ db: db.db }, ref)).coolifyServiceUuid!)!
        .status,
    ).toBe('exited');

    const again = await cli(['projects', 'pause', ref]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('cannot be paused while it is INACTIVE');

    const restore = await cli(['projects', 'restore', ref], { tty: true });
    expect(restore.code, restore.err).toBe(0);
    // Redrawn in place: carriage return + clear line, with a spinner frame.
    expect(restore.err).toContain('\r\x1b[2K');
    expect(restore.err).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \w+ RESTORING/);
    expect(restore.err).toContain(`✔ ${ref} ACTIVE_HEALTHY`);
  });

  it('projects create exits non-zero when the project fails', async () => {
    const bogus = 'nosuchserver0000000000000';
    const unknownServer = await cli([
      'projects',
      'create',
      'Nowhere',
      '--org',
      org,
      '--server',
      'x',
    ]);
    expect(unknownServer.code).toBe(1);
    expect(unknownServer.err).toContain('Unknown region/server "x"');

    // A server Supaplane is configured with but Coolify does not have: Coolify's 404 is final.
    const r = await cli(['projects', 'create', 'Doomed', '--org', org, '--server', bogus], {
      env: { COOLIFY_SERVER_UUIDS: `${env.COOLIFY_SERVER_UUIDS},${bogus}` },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/✘ [a-z]{20} INIT_FAILED: .*Server not found/);
  });

  it('projects delete asks for --yes, then waits for REMOVED', async () => {
    const refused = await cli(['projects', 'delete', ref]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('add --yes');
    const r = await cli(['projects', 'delete', ref, '--yes']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`✔ ${ref} REMOVED`);
    expect((await cli(['keys', ref])).code).toBe(1);
  });
});

describe('supaplane doctor', () => {
  // Run after the CLI tests above: Coolify then has services, so read:sensitive can be judged.
  it('reports every check ✔ with a complete token (DNS resolver injected)', async () => {
    await cli(['projects', 'create', 'Probe', '--org', 'acme-corp']);
    sim.resetCalls();
    const r = await cli(['doctor']);
    expect(r.out).toContain('✔ Configuration valid');
    expect(r.out).toContain('✔ Database reachable');
    expect(r.out).toMatch(/✔ Database migrated: \d+ migrations applied/);
    expect(r.out).toContain('✔ Encryption key present: SUPAPLANE_ENCRYPTION_KEY');
    expect(r.out).toContain('✔ Encryption key opens stored project secrets');
    expect(r.out).toContain(`✔ Coolify reachable and its API enabled: ${sim.url}`);
    expect(r.out).toContain('✔ Coolify version: 4.3.11');
    for (const ability of ['read', 'read:sensitive', 'write', 'deploy'])
      expect(r.out).toContain(`✔ Token ability ${ability}`);
    expect(r.out).toMatch(/✔ Server .* usable and reachable/);
    expect(r.out).toContain('✔ Project domain set: projects.example.com');
    expect(r.out).toMatch(
      new RegExp(`✔ Project domain resolves: [a-z]{20}\\.projects\\.example\\.com → ${serverIp}`),
    );
    expect(r.out).not.toContain('✘');
    expect(r.out).toContain('All good.');
    expect(r.code).toBe(0);
    // Its write and deploy probes hit an id that cannot exist: 404, nothing changed.
    const probes = sim.calls.filter((c) => c.path.includes('supaplane-doctor-probe'));
    expect(probes.map((c) => `${c.method} ${c.route} ${c.status}`)).toEqual([
      'DELETE /projects/{uuid} 404',
      'POST /services/{uuid}/start 404',
    ]);
  });

  it('✘ read:sensitive with its fix when the token lacks it; write and deploy tested separately', async () => {
    const r = await cli(['doctor'], { env: { COOLIFY_TOKEN: 'no-sensitive-token' } });
    expect(r.code).toBe(1);
    expect(r.out).toContain('✔ Token ability read');
    expect(r.out).toMatch(
      /✘ Token ability read:sensitive: missing.*\n {4}fix: give the token read:sensitive \(or root\)/,
    );
    expect(r.out).toContain('✔ Token ability write');
    expect(r.out).toContain('✔ Token ability deploy');
    expect(r.out).toContain('1 problem found.');

    const writeOnly = await cli(['doctor', '--json'], {
      env: { COOLIFY_TOKEN: 'write-deploy-token' },
    });
    expect(writeOnly.code).toBe(1);
    const report = JSON.parse(writeOnly.out) as {
      ok: boolean;
      checks: { status: string; title: string; detail?: string }[];
    };
    const byTitle = (t: string) => report.checks.find((c) => c.title === t);
    expect(report.ok).toBe(false);
    expect(byTitle('Token ability read')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('403'),
    });
    expect(byTitle('Token ability write')?.status).toBe('ok');
    expect(byTitle('Token ability deploy')?.status).toBe('ok');
    expect(byTitle('Coolify version')?.status).toBe('skip');
  });

  it("✘ with Coolify's 403 message when its API is disabled (spawned bin)", async () => {
    sim.setApiEnabled(false);
    try {
      const r = await spawnCli(['doctor'], { SUPAPLANE_PROJECT_DOMAIN: 'supa.test' });
      expect(r.code).toBe(1);
      expect(r.out).toContain('✔ Database reachable');
      expect(r.out).toMatch(/✘ Coolify API enabled: .*403: API is disabled\./);
      expect(r.out).toContain('fix: in Coolify, Settings → Advanced → API Access');
      // .test is reserved: a warning, not a failure.
      expect(r.out).toContain('⚠ Project domain resolves: supa.test is a reserved name');
    } finally {
      sim.setApiEnabled(true);
    }
  });

  it('✘ for DNS that does not resolve, an unknown server, a bad database and a missing key', async () => {
    const dns = await cli(['doctor'], {
      lookup: async (host) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
      env: { COOLIFY_SERVER_UUIDS: `${env.COOLIFY_SERVER_UUIDS},nosuchserver0000000000000` },
    });
    expect(dns.code).toBe(1);
    expect(dns.out).toMatch(
      /✘ Project domain resolves: [a-z]{20}\.projects\.example\.com does not resolve\n {4}fix: add a wildcard DNS record \*\.projects\.example\.com/,
    );
    expect(dns.out).toMatch(/✘ Server nosuchserver0000000000000: not found in Coolify/);

    const badDb = await cli(['doctor'], { env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x' } });
    expect(badDb.code).toBe(1);
    expect(badDb.out).toMatch(/✘ Database reachable: postgres:\/\/u@127\.0\.0\.1:1\/x: /);
    expect(badDb.out).not.toContain('u:p@');

    const noKey = await cli(['doctor'], { env: { SUPAPLANE_ENCRYPTION_KEY: '' } });
    expect(noKey.code).toBe(1);
    expect(noKey.out).toMatch(/✘ Configuration valid: SUPAPLANE_ENCRYPTION_KEY: is required/);

    const wrongKey = await cli(['doctor'], {
      env: { SUPAPLANE_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') },
    });
    expect(wrongKey.out).toContain('✘ Encryption key opens stored project secrets');
  });
});
