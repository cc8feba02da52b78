import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../src/db/embedded.js';
import {
  loadTemplate,
  referencedVariables,
  secretKeysFor,
  templateEnv,
} from '../src/provisioner/template.js';
import { startDenoMain, stopDenoMain } from './support/deno-main.js';
import { renderForTest } from './support/render-compose.js';
import { generateProjectSecrets } from '../src/secrets/generate.js';
import { deliveredName } from '../src/functions/function-secret-names.js';
import { SETTINGS, settingsEnv } from '../src/settings/env-mapping.js';
import { namedFor } from '../src/settings/stack-env.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const run = promisify(execFile);

interface Volume {
  target?: string;
  content?: string;
}
interface Service {
  image?: string;
  container_name?: string;
  ports?: unknown;
  mem_limit?: string;
  labels?: string[];
  healthcheck?: { test?: string[]; interval?: string; start_period?: string; disable?: boolean };
  environment?: string[];
  volumes?: (string | Volume)[];
  command?: unknown;
}
interface Compose {
  services: Record<string, Service>;
}

// Upstream's self-hosted release v0.8.1 (supabase/supabase docker/docker-compose.yml
// @1f37f2a9d82df788cb026dd9d25c4125e26da715; Kong from docker-compose.kong.yml there).
const V2_IMAGES: Record<string, string> = {
  'supabase-kong': 'kong/kong:3.9.3',
  'supabase-db': 'supabase/postgres:17.6.1.136',
  'supabase-auth': 'supabase/gotrue:v2.196.0',
  'supabase-rest': 'postgrest/postgrest:v14.17',
  'realtime-dev': 'supabase/realtime:v2.134.10',
  'supabase-storage': 'supabase/storage-api:v1.74.0',
  imgproxy: 'darthsim/imgproxy:v3.31.4',
  'supabase-meta': 'supabase/postgres-meta:v0.99.0',
  'supabase-edge-functions': 'supabase/edge-runtime:v1.76.2',
  // Not in upstream's default stack: its PgBouncer override (docker-compose.pgbouncer.yml
  // @27291edf) pins the same image.
  'supabase-pooler': 'edoburu/pgbouncer:v1.25.2-p0',
};

const raw = await loadTemplate('v2');
const doc = parse(raw) as Compose;
const services = Object.entries(doc.services);
const secrets = await generateProjectSecrets('v2');
const input = {
  version: 'v2',
  ref: 'abcdefghijklmnopqrst',
  publicUrl: 'https://abcdefghijklmnopqrst.example.com',
  secrets,
  functions: {
    url: 'https://supaplane.example.com/functions-delivery/v1/projects/abcdefghijklmnopqrst',
    token: 'delivery-token-of-abcdefghijklmnopqrst',
  },
};
const rows = templateEnv(input);
const rendered = parse(renderForTest(raw, rows)) as Compose;

const envOf = (svc: Service) =>
  Object.fromEntries(
    (svc.environment ?? []).map((l) => {
      const eq = l.indexOf('=');
      return eq < 0 ? [l, undefined] : [l.slice(0, eq), l.slice(eq + 1)];
    }),
  ) as Record<string, string | undefined>;
const content = (svc: Service, target: string) =>
  (svc.volumes ?? []).find((v): v is Volume => typeof v === 'object' && v.target === target)
    ?.content ?? '';

describe('supabase template v2: structure', () => {
  it('validates against the Compose specification', () => {
    const schema = JSON.parse(
      readFileSync(path.join(ROOT, 'test/fixtures/compose-spec.json'), 'utf8'),
    ) as object;
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    // Coolify removes the inline `content:` of file mounts before compose reads the file.
    const withoutContent = JSON.parse(
      JSON.stringify(doc, (key, value: unknown) => (key === 'content' ? undefined : value)),
    ) as unknown;
    validate(withoutContent);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('pins every image to the exact upstream release tag', () => {
    expect(Object.fromEntries(services.map(([n, s]) => [n, s.image]))).toEqual(V2_IMAGES);
  });

  it('gives every container a healthcheck, a memory limit, and no name or host port', () => {
    for (const [name, svc] of services) {
      expect(svc.healthcheck?.test?.length, name).toBeGreaterThan(1);
      expect(svc.healthcheck?.disable, name).not.toBe(true);
      expect(svc.healthcheck?.interval, name).toBe('30s');
      expect(svc.mem_limit, name).toMatch(/^\d+[mg]$/);
      expect(svc.container_name, name).toBeUndefined();
      expect(svc.ports, name).toBeUndefined();
    }
    // A2: a first boot of several stacks at once.
    expect(
      parseInt(doc.services['supabase-db']!.healthcheck!.start_period!),
    ).toBeGreaterThanOrEqual(180);
  });

  it('has no required-variable operator (Coolify would store its message as the value)', () => {
    expect(raw).not.toMatch(/\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/);
    // The check is real: it catches the form v1 used.
    expect('X=${A:?A is required}').toMatch(/\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/);
  });

  it('fixes the audit items in the compose itself', () => {
    const rest = envOf(doc.services['supabase-rest']!);
    expect(rest.PGRST_ADMIN_SERVER_HOST).toBe('localhost');
    expect(rest.PGRST_APP_SETTINGS_JWT_SECRET).toBeUndefined();
    expect(raw).not.toContain('app.settings.jwt_secret');
    expect(envOf(doc.services['supabase-meta']!).PG_META_DB_USER).toBe('postgres');
    expect(doc.services['realtime-dev']!.command).toBeUndefined();
    expect(raw).not.toContain('apikey: $');
    expect(envOf(doc.services.imgproxy!).IMGPROXY_AUTO_WEBP).toBe('true');
    expect(raw).not.toContain('IMGPROXY_ENABLE_WEBP_DETECTION');
    const kong = envOf(doc.services['supabase-kong']!);
    expect(kong.KONG_NGINX_WORKER_PROCESSES).toBe('1');
    expect(kong.KONG_PROXY_ACCESS_LOG).toMatch(/^\/dev\/stdout/);
    expect(kong.KONG_TRUSTED_IPS).toBeUndefined(); // set by the entrypoint, see below
    expect(raw).not.toMatch(/DASHBOARD_|VAULT_ENC_KEY|LOGFLARE_/);
  });
});

describe('supabase template v2: variables', () => {
  it('renders with zero unresolved variables, and every row it delivers is used', () => {
    expect(referencedVariables(renderForTest(raw, rows))).toEqual([]);
    expect(Object.keys(rows).sort()).toEqual(referencedVariables(raw));
    // Every stored secret is delivered, under its own name or the one its container reads.
    for (const key of secretKeysFor('v2')) {
      expect(Object.values(rows), key).toContain(secrets[key]);
    }
  });

  it('fails to render when any row is missing', () => {
    for (const name of referencedVariables(raw)) {
      const partial = { ...rows };
      delete partial[name];
      expect(() => renderForTest(raw, partial), name).toThrow(new RegExp(`\\b${name}\\b`));
    }
  });

  it('references a variable at the start of a value only as KEY=<KEY> (coolify audit D8)', () => {
    // Coolify copies the value of any other leading reference into the compose it
    // stores in plain text (parsers.php:2382-2440@379abb25).
    for (const [name, svc] of services) {
      for (const [key, value] of Object.entries(envOf(svc))) {
        if (value?.startsWith('$')) expect(value, `${name} ${key}`).toBe(`\${${key}}`);
      }
    }
  });

  it('never delivers a row that contradicts a value a container sets itself', () => {
    // Coolify's env_file: .env gives every row to every container; compose's
    // environment: wins where both set a key, so equal values keep both readings.
    for (const [name, svc] of Object.entries(rendered.services)) {
      for (const [key, value] of Object.entries(envOf(svc))) {
        if (key in rows) expect(rows[key], `${name} ${key}`).toBe(value);
      }
    }
  });

  it('gives each service login role its own password, and no superuser password to functions', () => {
    const url = (svc: string, key: string) => new URL(envOf(rendered.services[svc]!)[key]!);
    expect(url('supabase-rest', 'PGRST_DB_URI').password).toBe(secrets.AUTHENTICATOR_PASSWORD);
    expect(url('supabase-auth', 'GOTRUE_DB_DATABASE_URL').password).toBe(
      secrets.AUTH_ADMIN_PASSWORD,
    );
    expect(url('supabase-storage', 'DATABASE_URL').password).toBe(secrets.STORAGE_ADMIN_PASSWORD);
    expect(envOf(rendered.services['realtime-dev']!).DB_PASSWORD).toBe(
      secrets.SUPABASE_ADMIN_PASSWORD,
    );
    const fn = url('supabase-edge-functions', 'SUPABASE_DB_URL');
    expect([fn.username, fn.password]).toEqual(['postgres', secrets.POSTGRES_PASSWORD]);
  });

  it('starts every editable setting at its default in src/settings/env-mapping.ts', () => {
    expect(rows.GOTRUE_SITE_URL).toBe('https://abcdefghijklmnopqrst.example.com');
    expect(rows.API_EXTERNAL_URL).toBe('https://abcdefghijklmnopqrst.example.com/auth/v1');
    expect(rows.GOTRUE_JWT_ISSUER).toBe(rows.API_EXTERNAL_URL);
    expect([rows.GOTRUE_JWT_EXP, rows.GOTRUE_MAILER_AUTOCONFIRM, rows.GOTRUE_SMTP_HOST]).toEqual([
      '3600',
      'false',
      '',
    ]);
    // GoTrue parses the port as an integer even without a host.
    expect(rows.GOTRUE_SMTP_PORT).toBe('587');
    const referenced = new Set(referencedVariables(raw));
    for (const field of SETTINGS) {
      if (!referenced.has(field.container) || field.default === null) continue;
      expect(rows[field.container], field.container).toBe(String(field.default));
    }
  });

  it('renders stored Auth settings into the auth container under the names v2 reads', () => {
    // What src/settings/stack-env.ts writes over the template's rows for stored settings.
    const stored = namedFor(
      'v2',
      settingsEnv(
        input.publicUrl,
        {
          auth: {
            SITE_URL: 'https://app.example.org',
            URI_ALLOW_LIST: 'https://app.example.org/**,myapp://callback',
            MAILER_AUTOCONFIRM: true,
            JWT_EXP: 900,
            SMTP_ADMIN_EMAIL: 'no-reply@example.org',
            SMTP_HOST: 'smtp.example.org',
            SMTP_USER: 'u',
          },
        },
        { SMTP_PASS: 'p4$$word' },
      ),
    );
    const auth = envOf(
      parse(renderForTest(raw, { ...rows, ...stored })).services['supabase-auth'] as Service,
    );
    expect(auth).toMatchObject({
      GOTRUE_SITE_URL: 'https://app.example.org',
      GOTRUE_URI_ALLOW_LIST: 'https://app.example.org/**,myapp://callback',
      GOTRUE_MAILER_AUTOCONFIRM: 'true',
      GOTRUE_JWT_EXP: '900',
      GOTRUE_SMTP_ADMIN_EMAIL: 'no-reply@example.org',
      GOTRUE_SMTP_HOST: 'smtp.example.org',
      GOTRUE_SMTP_PORT: '587',
      GOTRUE_SMTP_PASS: 'p4$$word',
    });
  });
});

describe('supabase template v2: database route', () => {
  it('labels supabase-db with a Traefik TCP router for db.<ref>.<domain> only', () => {
    const labels = rendered.services['supabase-db']!.labels!;
    expect(labels).toContain(
      'traefik.tcp.routers.db-abcdefghijklmnopqrst.rule=HostSNI(`db.abcdefghijklmnopqrst.example.com`)',
    );
    expect(labels).toContain('traefik.tcp.routers.db-abcdefghijklmnopqrst.entrypoints=postgres');
    expect(labels).toContain('traefik.tcp.routers.db-abcdefghijklmnopqrst.tls=true');
    expect(labels).toContain(
      'traefik.tcp.services.db-abcdefghijklmnopqrst.loadbalancer.server.port=5432',
    );
  });

  it('labels supabase-pooler with a router for the same name on the pooler entrypoint', () => {
    const labels = rendered.services['supabase-pooler']!.labels!;
    const router = 'traefik.tcp.routers.pooler-abcdefghijklmnopqrst';
    expect(labels).toEqual([
      'traefik.enable=true',
      `${router}.rule=HostSNI(\`db.abcdefghijklmnopqrst.example.com\`)`,
      `${router}.entrypoints=pooler`,
      `${router}.tls=true`,
      `${router}.tls.certresolver=letsencrypt`,
      `${router}.service=pooler-abcdefghijklmnopqrst`,
      'traefik.tcp.services.pooler-abcdefghijklmnopqrst.loadbalancer.server.port=6543',
    ]);
    // The port PgBouncer listens on is the one Traefik forwards to.
    expect(content(doc.services['supabase-pooler']!, '/etc/pgbouncer/pgbouncer.ini')).toMatch(
      /^listen_port = 6543$/m,
    );
    expect(content(doc.services['supabase-pooler']!, '/etc/pgbouncer/pgbouncer.ini')).toMatch(
      /^pool_mode = transaction$/m,
    );
  });
});

describe('supabase template v2: README table', () => {
  const readme = readFileSync(path.join(ROOT, 'coolify-templates/supabase/v2/README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Containers'), readme.indexOf('## Postgres 17'));
  const tableRows = table
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replace(/`/g, '')),
    );

  it('lists exactly the compose services, with their image, healthcheck and memory', () => {
    expect(tableRows.map((r) => r[0]).sort()).toEqual(Object.keys(doc.services).sort());
    for (const [service, image, check, why, proves, memory] of tableRows) {
      const svc = doc.services[service!]!;
      expect(image, service).toBe(svc.image);
      expect(memory, service).toBe(svc.mem_limit);
      const test = svc.healthcheck!.test!;
      const command = test[1] === 'bash' ? '/dev/tcp' : test[1]!;
      expect(check, service).toContain(command);
      if (test[1] === 'postgrest') expect(check).toContain('--ready');
      expect(why!.length, `${service}: why it passes`).toBeGreaterThan(20);
      expect(proves!.length, `${service}: what it proves`).toBeGreaterThan(10);
    }
  });
});

describe('supabase template v2: Kong trusts only its own network', () => {
  it('derives KONG_TRUSTED_IPS from the container route table', async () => {
    const entry = content(doc.services['supabase-kong']!, '/home/kong/kong-entrypoint.sh');
    const program = /KONG_TRUSTED_IPS=\$\(awk '([\s\S]*?)' \/proc\/net\/route\)/.exec(entry)![1]!;
    const dir = mkdtempSync(path.join(tmpdir(), 'route-'));
    try {
      const route = path.join(dir, 'route');
      // /proc/net/route of a container on 172.20.0.0/16, default via 172.20.0.1.
      writeFileSync(
        route,
        'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
          'eth0\t00000000\t010014AC\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
          'eth0\t000014AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n',
      );
      expect((await run('awk', [program, route])).stdout.trim()).toBe('172.20.0.0/16');
      writeFileSync(route, 'eth0\t0010A8C0\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0\n');
      expect((await run('awk', [program, route])).stdout.trim()).toBe('192.168.16.0/20');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('supabase template v2: function secrets reach only user workers', () => {
  const PLATFORM_NAMES = ['PORT', 'PGDATA', 'NODE_OPTIONS', 'KONG_ADMIN_LISTEN'];
  const userSecrets: Record<string, string> = Object.fromEntries(
    [...PLATFORM_NAMES, 'STRIPE_KEY'].map((n) => [n, `user-${n}`]),
  );
  // What Coolify's .env holds: the template's rows and the delivered secrets.
  const dotEnv: Record<string, string> = {
    ...rows,
    ...Object.fromEntries(Object.entries(userSecrets).map(([n, v]) => [deliveredName('v2', n), v])),
  };

  it('no container gets a secret under the user name (env_file .env, then environment:)', () => {
    for (const [name, svc] of Object.entries(rendered.services)) {
      const effective = { ...dotEnv, ...envOf(svc) };
      for (const secret of Object.keys(userSecrets)) {
        expect(effective[secret], `${name} ${secret}`).not.toBe(userSecrets[secret]);
      }
    }
  });

  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  // What user workers get (their secrets and the SUPABASE_* values, nothing else) is
  // asserted where main runs functions fetched from Supaplane:
  // test/functions/functions-runtime.test.ts.
  it('the main service (run with deno) boots with no network, and serves nothing it could not fetch', async () => {
    const fn = rendered.services['supabase-edge-functions']!;
    const dir = mkdtempSync(path.join(tmpdir(), 'edge-main-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, 'index.ts'), content(fn, '/home/deno/functions/main/index.ts'));
    const port = await freePort();
    // Stands in for Edge Runtime's globals: user workers echo the envVars they get;
    // Deno.serve binds the test's port (Edge Runtime binds its own). The delivery URL is
    // not on 127.0.0.1, so deno's --allow-net refuses it: Supaplane is unreachable.
    writeFileSync(
      path.join(dir, 'edge-runtime-stub.ts'),
      `const serve = Deno.serve;
(Deno as any).serve = (h: any) => serve({ port: ${port}, hostname: '127.0.0.1', onListen() {} }, h);
(globalThis as any).EdgeRuntime = { userWorkers: { create: async (opts: any) => ({
  fetch: async () => new Response(JSON.stringify({ servicePath: opts.servicePath, envVars: opts.envVars })),
}) } };
`,
    );
    const containerEnv = { ...dotEnv, ...envOf(fn) } as Record<string, string>;
    const main = await startDenoMain({
      entry: path.join(dir, 'index.ts'),
      dir,
      port,
      preload: path.join(dir, 'edge-runtime-stub.ts'),
      env: containerEnv,
    });
    try {
      const { base } = main;
      const res = await fetch(`${base}/hello/path`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { msg: string }).msg).toMatch(
        /did not answer for function hello/,
      );
      expect((await fetch(`${base}/main`)).status).toBe(400);
    } finally {
      await stopDenoMain(main);
    }
  }, 60_000);
});
