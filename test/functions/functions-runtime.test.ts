import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../../src/db/embedded.js';
import { loadTemplate } from '../../src/provisioner/template.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';
import { renderForTest } from '../support/render-compose.js';
import { startDenoMain, stopDenoMain, type DenoMain } from '../support/deno-main.js';
import { cliDeployForm } from './cli-form.js';

/**
 * The real `deno` from npm runs the template's functions main service, extracted from
 * the compose rendered with the env Supaplane wrote to the project's (simulated)
 * Coolify service, against Supaplane served on a real port. Edge Runtime's
 * `EdgeRuntime.userWorkers` does not exist in Deno: edge-runtime-stand-in/ is the
 * smallest stand-in (a Web Worker per function with only the given env).
 */
// Names platform images read: as function secrets they reach user workers only.
const PLATFORM_NAMES = ['PORT', 'PGDATA', 'NODE_OPTIONS', 'KONG_ADMIN_LISTEN'];
const STAND_IN = path.join(import.meta.dirname, 'edge-runtime-stand-in');

let h: ApiHarness;
let server: ServerType;
let apiPort: number;
let token: string;
let ref: string;
let jwtSecret: string;
let anonKey: string;
const dir = mkdtempSync(path.join(tmpdir(), 'edge-fn-'));
const cacheDir = path.join(dir, 'cache');
const createLog = path.join(dir, 'create.log');

beforeAll(async () => {
  apiPort = await freePort();
  h = await startApiHarness({ env: { SUPAPLANE_PUBLIC_URL: `http://127.0.0.1:${apiPort}` } });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: apiPort }, () => resolve());
  });
  const owner = await h.signIn('owner');
  const pat = await h.call('POST', '/platform/profile/access-tokens', {
    as: owner,
    body: { name: 'runtime' },
  });
  token = (pat.body as { token: string }).token;
  const p = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name: 'Runtime' },
  });
  ref = p.ref;
  await h.settle(ref, 'ACTIVE_HEALTHY');
  // Function secrets, one of them named like a platform variable.
  const set = await h.call('POST', `/v1/projects/${ref}/secrets`, {
    token,
    body: [
      { name: 'STRIPE_KEY', value: 'sk_test_123' },
      ...PLATFORM_NAMES.map((name) => ({ name, value: `user-${name}` })),
    ],
  });
  expect(set.status).toBe(201);
  await h.settle(ref, 'ACTIVE_HEALTHY');
  const secrets = (await loadProjectSecrets(h.db.db, h.deps.keyring, p.id))!;
  jwtSecret = secrets.JWT_SECRET;
  anonKey = secrets.SUPABASE_ANON_KEY;
}, 90_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function deploy(
  slug: string,
  files: { path: string; content: string }[],
  verifyJwt: boolean,
) {
  const form = cliDeployForm(
    {
      entrypoint_path: files[0]!.path,
      import_map_path: '',
      name: slug,
      static_patterns: [],
      verify_jwt: verifyJwt,
    },
    files,
  );
  const res = await fetch(
    `http://127.0.0.1:${apiPort}/v1/projects/${ref}/functions/deploy?slug=${slug}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': form.contentType },
      body: form.body,
    },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { version: number };
}

const helloFiles = (version: string) => [
  {
    path: 'supabase/functions/hello/index.ts',
    content: `import { greet } from '../_shared/greet.ts'
Deno.serve((req) => Response.json({ version: '${version}', greeting: greet(), path: new URL(req.url).pathname, env: Deno.env.toObject() }))`,
  },
  { path: 'supabase/functions/_shared/greet.ts', content: `export const greet = () => 'hello'` },
];

/** The container's env: Coolify's .env (every row of the service), then its `environment:`. */
async function containerEnv() {
  const rows = Object.fromEntries(
    Object.entries(h.sim.envOf((await h.project(ref)).coolifyServiceUuid!)).filter(
      (e): e is [string, string] => e[1] !== null,
    ),
  );
  const rendered = parse(renderForTest(await loadTemplate('v2'), rows)) as {
    services: Record<
      string,
      { environment: string[]; volumes: (string | { target?: string; content?: string })[] }
    >;
  };
  const fn = rendered.services['supabase-edge-functions']!;
  const own = Object.fromEntries(
    fn.environment.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const main = fn.volumes.find(
    (v) => typeof v === 'object' && v.target === '/home/deno/functions/main/index.ts',
  );
  return { env: { ...rows, ...own }, main: (main as { content: string }).content };
}

type Main = DenoMain;

async function startMain(): Promise<Main> {
  const { env, main } = await containerEnv();
  writeFileSync(path.join(dir, 'index.ts'), main);
  const port = await freePort();
  return startDenoMain({
    entry: path.join(dir, 'index.ts'),
    dir,
    port,
    preload: path.join(STAND_IN, 'preload.js'),
    env: {
      ...env,
      SUPAPLANE_FUNCTIONS_CACHE: cacheDir,
      STAND_IN_PORT: String(port),
      STAND_IN_LOG: createLog,
    },
    allowRead: [dir, STAND_IN],
    allowWrite: [dir],
  });
}

const stop = stopDenoMain;

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the template v2 functions main service, run by deno', () => {
  it('fetches, caches and runs a function, picks up a deploy, enforces verify_jwt, survives a restart', async () => {
    await deploy('hello', helloFiles('v1'), false);
    let main = await startMain();
    try {
      const first = await fetch(`${main.base}/hello/some/path`);
      expect(first.status, main.output.join('')).toBe(200);
      const body = (await first.json()) as {
        version: string;
        greeting: string;
        path: string;
        env: Record<string, string>;
      };
      expect([body.version, body.greeting, body.path]).toEqual(['v1', 'hello', '/hello/some/path']);

      // The worker's env: its secrets and the SUPABASE_* values, none of the platform's.
      const { env } = await containerEnv();
      expect(body.env).toEqual({
        STRIPE_KEY: 'sk_test_123',
        ...Object.fromEntries(PLATFORM_NAMES.map((n) => [n, `user-${n}`])),
        SUPABASE_URL: 'http://supabase-kong:8000',
        SUPABASE_ANON_KEY: env.SUPABASE_ANON_KEY,
        SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY,
        SUPABASE_DB_URL: env.SUPABASE_DB_URL,
        SUPABASE_PUBLISHABLE_KEYS: env.SUPABASE_PUBLISHABLE_KEYS,
        SUPABASE_SECRET_KEYS: env.SUPABASE_SECRET_KEYS,
      });
      const leaked = JSON.stringify(body);
      for (const key of [
        'SUPAPLANE_FUNCTIONS_TOKEN',
        'JWT_SECRET',
        'SUPABASE_ADMIN_PASSWORD',
        'AUTHENTICATOR_PASSWORD',
        'AUTH_ADMIN_PASSWORD',
        'STORAGE_ADMIN_PASSWORD',
        'PGBOUNCER_PASSWORD',
        'SECRET_KEY_BASE',
        'CRYPTO_KEY',
        'DB_ENC_KEY',
      ]) {
        expect(env[key]!.length, key).toBeGreaterThan(8);
        expect(leaked.includes(env[key]!), key).toBe(false);
      }

      // It ran the downloaded files, from the cache.
      const created = readFileSync(createLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { servicePath: string; maybeEntrypoint: string });
      expect(created[0]!.servicePath.startsWith(path.join(cacheDir, 'hello', '1-'))).toBe(true);
      expect(created[0]!.maybeEntrypoint).toMatch(
        /^file:\/\/.*\/supabase\/functions\/hello\/index\.ts$/,
      );

      // A deploy is live within seconds, with no restart.
      const deployedAt = Date.now();
      expect((await deploy('hello', helloFiles('v2'), false)).version).toBe(2);
      await until('v2 served', async () => {
        const r = (await (await fetch(`${main.base}/hello`)).json()) as { version: string };
        return r.version === 'v2' ? true : undefined;
      });
      const pickedUpMs = Date.now() - deployedAt;
      console.info(`functions-runtime: a new deploy was served after ${pickedUpMs} ms`);
      expect(pickedUpMs).toBeLessThan(5_000);

      // verify_jwt (on by default): 401 without a valid JWT, as upstream's main answers.
      await deploy(
        'guarded',
        [
          {
            path: 'supabase/functions/guarded/index.ts',
            content: `Deno.serve(() => new Response('in'))`,
          },
        ],
        true,
      );
      const none = await fetch(`${main.base}/guarded`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({
        code: 'UNAUTHORIZED_NO_AUTH_HEADER',
        message: 'Missing authorization header',
        msg: 'Missing authorization header',
      });
      const forged = await new SignJWT({ role: 'anon' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('not-the-project-secret-not-the-project'));
      const expired = await new SignJWT({ role: 'anon' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(jwtSecret));
      for (const bad of [forged, expired, 'not-a-jwt']) {
        const r = await fetch(`${main.base}/guarded`, {
          headers: { Authorization: `Bearer ${bad}` },
        });
        expect(r.status, bad).toBe(401);
        expect(r.headers.get('sb-error-code')).toMatch(/^UNAUTHORIZED_/);
      }
      const ok = await fetch(`${main.base}/guarded`, {
        headers: { Authorization: `Bearer ${anonKey}` },
      });
      expect([ok.status, await ok.text()]).toEqual([200, 'in']);
      expect((await fetch(`${main.base}/guarded`, { method: 'OPTIONS' })).status).toBe(200);

      // A deleted function is gone from the stack too.
      expect(
        (await h.call('DELETE', `/v1/projects/${ref}/functions/guarded`, { token })).status,
      ).toBe(200);
      await until('guarded 404', async () =>
        (await fetch(`${main.base}/guarded`, { headers: { Authorization: `Bearer ${anonKey}` } }))
          .status === 404
          ? true
          : undefined,
      );
      expect((await fetch(`${main.base}/nothing-here`)).status).toBe(404);
    } finally {
      await stop(main);
    }

    // A restarted stack serves from its cache volume, even with Supaplane down.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    (server as Server).closeAllConnections();
    await closed;
    main = await startMain();
    try {
      const r = await fetch(`${main.base}/hello`);
      expect(r.status, main.output.join('')).toBe(200);
      expect(((await r.json()) as { version: string }).version).toBe('v2');
      // The deleted function is not brought back from the cache.
      const gone = await fetch(`${main.base}/guarded`, {
        headers: { Authorization: `Bearer ${anonKey}` },
      });
      expect(gone.status).toBe(503);
    } finally {
      await stop(main);
      await new Promise<void>((resolve) => {
        server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: apiPort }, () =>
          resolve(),
        );
      });
    }
  }, 120_000);
});
