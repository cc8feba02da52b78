import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../src/config/config.js';
import { freePort } from '../src/db/embedded.js';

// No Docker engine here: the Docker files are checked statically, and the small
// programs inside them (health checks, the secrets init) are run with node.

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const run = promisify(execFile);

interface ComposeFile {
  services: Record<
    string,
    {
      image?: string;
      build?: { context?: string; dockerfile?: string; dockerfile_inline?: string };
      [k: string]: unknown;
    }
  >;
}

const COMPOSE_FILES = ['docker-compose.yml', 'coolify-templates/supaplane.yaml'];
const load = (file: string) => parse(read(file)) as ComposeFile;

/** `name:tag` with a version-like tag (not latest), or a digest. */
const isPinned = (image: string) =>
  /@sha256:[0-9a-f]{64}$/.test(image) ||
  /^[^\s:@]+(?::\d+)?(?:\/[^\s:@]+)*:(?!latest$)[\w.-]*\d[\w.-]*$/.test(image);

/** `NAME=` lines (commented or not) in .env.example, each with its purpose on the line above. */
function documented(): Map<string, string> {
  const lines = read('.env.example').split('\n');
  const vars = new Map<string, string>();
  lines.forEach((l, i) => {
    const m = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(l);
    if (!m) return;
    const above = lines[i - 1] ?? '';
    vars.set(m[1]!, /^#\s+\S/.test(above) && !/^#?\s*[A-Z][A-Z0-9_]*=/.test(above) ? above : '');
  });
  return vars;
}

/** `${VAR…}` references compose interpolates (`$${…}` is an escaped literal). */
function interpolated(text: string): string[] {
  return [...text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
}

/** FROM images of a Dockerfile, with `${ARG}` defaults resolved. */
function baseImages(dockerfile: string): string[] {
  const args = new Map(
    [...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
  return [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) =>
    m[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? `\${${name}}`),
  );
}

describe('compose files', () => {
  const schema = JSON.parse(read('test/fixtures/compose-spec.json')) as object;
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  it.each(COMPOSE_FILES)('%s validates against the Compose specification schema', (file) => {
    const ok = validate(load(file));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema catches a broken file (the check is real)', () => {
    expect(validate({ services: { a: { image: 'x:1', ports: { bad: true } } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x:1', restart_policy: 'always' } } })).toBe(false);
  });

  it.each(COMPOSE_FILES)('%s references only pinned images', (file) => {
    for (const [name, svc] of Object.entries(load(file).services)) {
      expect(svc.image, `${file}: service ${name} needs an image`).toBeTruthy();
      expect(isPinned(svc.image!), `${file}: ${name} uses ${svc.image}`).toBe(true);
    }
    expect(isPinned('postgres')).toBe(false);
    expect(isPinned('postgres:latest')).toBe(false);
    expect(isPinned('ghcr.io/a/b:v1.2.3')).toBe(true);
  });

  it.each(['Dockerfile', 'docker/studio/Dockerfile'])('%s builds from pinned images', (file) => {
    const images = baseImages(read(file)).filter((i) => !/^[a-z-]+$/.test(i)); // stage names
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(isPinned(image), `${file}: FROM ${image}`).toBe(true);
  });

  it.each(COMPOSE_FILES)('every ${VAR} in %s is documented in .env.example', (file) => {
    const docs = documented();
    const used = new Set(interpolated(read(file)));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) {
      expect(docs.has(name), `${file} uses \${${name}}, missing from .env.example`).toBe(true);
      expect(docs.get(name), `${name} has no one-line purpose above it`).not.toBe('');
    }
  });

  it('every variable the server reads is documented in .env.example', () => {
    const docs = documented();
    const names = [...read('src/config/config.ts').matchAll(/^ {4}([A-Z][A-Z0-9_]+): /gm)].map(
      (m) => m[1]!,
    );
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      expect(docs.has(name), `${name} is missing from .env.example`).toBe(true);
      expect(docs.get(name), `${name} has no one-line purpose above it`).not.toBe('');
    }
  });

  it('the Coolify template builds Studio from the same Dockerfile as docker/studio', () => {
    const studio = load('coolify-templates/supaplane.yaml').services.studio!;
    const inline = studio.build!.dockerfile_inline!;
    expect(inline.replaceAll('$$', '$')).toBe(read('docker/studio/Dockerfile'));
    // Nothing but escaped `$$` in it, so compose interpolates none of the Dockerfile.
    expect(interpolated(inline)).toEqual([]);
  });

  it('the Coolify template takes its secrets and domains from Coolify magic variables', () => {
    const text = read('coolify-templates/supaplane.yaml');
    for (const magic of [
      'SERVICE_URL_SUPAPLANE_8080',
      'SERVICE_URL_STUDIO_3000',
      '${SERVICE_PASSWORD_POSTGRES}',
      '${SERVICE_USER_POSTGRES}',
      'SUPAPLANE_ENCRYPTION_KEY=${SERVICE_REALBASE64_32_ENCRYPTION}',
    ])
      expect(text).toContain(magic);
    // Magic ids must not contain `_` after the command (API-NOTES §5).
    for (const name of interpolated(text).filter((n) => n.startsWith('SERVICE_')))
      expect(name).toMatch(/^SERVICE_(URL|USER|PASSWORD|REALBASE64_32)_[A-Z0-9]+$/);
  });

  it('the root compose keeps Postgres on a named volume behind a health check', () => {
    const { services, volumes } = parse(read('docker-compose.yml')) as ComposeFile & {
      volumes: Record<string, unknown>;
    };
    const pg = services.postgres!;
    expect(pg.volumes).toContain('supaplane-db:/var/lib/postgresql/data');
    expect(volumes).toHaveProperty('supaplane-db');
    expect((pg.healthcheck as { test: string[] }).test.join(' ')).toContain('pg_isready');
    expect(services.supaplane!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
    });
    expect(services.supaplane!.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(services.studio!.build).toMatchObject({ context: 'docker/studio' });
  });
});

describe('Dockerfiles', () => {
  const supaplane = read('Dockerfile');
  const studio = read('docker/studio/Dockerfile');
  const lastStage = (text: string) => text.slice(text.lastIndexOf('\nFROM '));

  it('Supaplane: multi-stage, production dependencies only, not root, HEALTHCHECK on /ready', () => {
    expect(baseImages(supaplane).length).toBeGreaterThanOrEqual(2);
    expect(supaplane).toContain('npm ci --omit=dev');
    const runtime = lastStage(supaplane);
    expect(runtime).not.toMatch(/npm (ci|install)(?! --omit=dev)/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/ready/m);
    // Every file copied from the build context exists (and .dockerignore keeps secrets out).
    for (const m of supaplane.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const src of m[1]!.split(' ')) expect(existsSync(path.join(ROOT, src)), src).toBe(true);
    const ignore = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', '.supaplane', '.git'])
      expect(ignore).toContain(entry);
  });

  it('Studio: upstream at a pinned tag, unmodified, only NEXT_PUBLIC_* and CSP-host build-time env', () => {
    expect(studio).toMatch(/^ARG SUPABASE_REF=v\d+\.\d+\.\d+$/m);
    expect(studio).toContain('https://github.com/supabase/supabase.git');
    // Nothing of ours is copied into the Studio source tree.
    expect(studio).not.toMatch(/^COPY (?!--from)/m);
    const env = [...studio.matchAll(/(NEXT_PUBLIC_\w+)=/g)].map((m) => m[1]);
    expect(new Set(env)).toEqual(
      new Set([
        'NEXT_PUBLIC_IS_PLATFORM',
        'NEXT_PUBLIC_API_URL',
        'NEXT_PUBLIC_GOTRUE_URL',
        'NEXT_PUBLIC_SITE_URL',
        'NEXT_PUBLIC_HCAPTCHA_SITE_KEY',
      ]),
    );
    expect(studio).toContain('NEXT_PUBLIC_IS_PLATFORM=true');
    expect(studio).toContain('10000000-ffff-ffff-ffff-000000000001');
    expect(lastStage(studio)).toMatch(/^USER node$/m);
    const check = /^HEALTHCHECK [^[]*(\[.*\])$/m.exec(studio.replace(/\\\n\s*/g, ' '))!;
    const script = (JSON.parse(check[1]!) as string[]).at(-1)!;
    expect(() => new Function(script)).not.toThrow();
  });

  /** Runs a HEALTHCHECK's `node -e` script against a server answering `status`. */
  async function healthcheck(dockerfile: string, status: number, env: Record<string, string>) {
    const m = /^HEALTHCHECK [^[]*(\[.*\])$/m.exec(dockerfile.replace(/\\\n\s*/g, ' '));
    const argv = JSON.parse(m![1]!.replace(/^\[\s*"CMD",\s*/, '[')) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(status).end();
    });
    const port = Number(env.PORT);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const code = await run(process.execPath, ['-e', argv[2]!], {
        env: { ...process.env, ...env },
      }).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
      return { code, seen };
    } finally {
      server.close();
    }
  }

  it('the Supaplane HEALTHCHECK passes on 200 from /ready and fails on 503', async () => {
    const port = String(await freePort());
    expect(await healthcheck(supaplane, 200, { PORT: port })).toEqual({
      code: 0,
      seen: ['/ready'],
    });
    expect((await healthcheck(supaplane, 503, { PORT: port })).code).toBe(1);
    const based = await healthcheck(supaplane, 200, { PORT: port, SUPAPLANE_BASE_PATH: '/api' });
    expect(based.seen).toEqual(['/api/ready']);
  });

  it('docker/init-secrets.mjs creates the secrets once, in a form the config accepts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-secrets-'));
    try {
      const script = path.join(ROOT, 'docker/init-secrets.mjs');
      const first = await run(process.execPath, [script, dir], { env: { PATH: '' } });
      expect(first.stdout).toContain('encryption-key: created');
      const files = ['encryption-key', 'postgres-password', 'database-url'];
      const before = files.map((f) => readFileSync(path.join(dir, f), 'utf8'));
      const second = await run(process.execPath, [script, dir], {
        env: { PATH: '', SUPAPLANE_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') },
      });
      expect(second.stdout).toContain('encryption-key: kept');
      expect(second.stderr).toContain('differs from the key already in the secrets volume');
      expect(files.map((f) => readFileSync(path.join(dir, f), 'utf8'))).toEqual(before);
      for (const f of files) expect(statSync(path.join(dir, f)).mode & 0o077).toBe(0);
      const config = parseConfig({
        DATABASE_URL_FILE: path.join(dir, 'database-url'),
        SUPAPLANE_ENCRYPTION_KEY_FILE: path.join(dir, 'encryption-key'),
      });
      expect(config.DATABASE_URL).toBe(
        `postgres://supaplane:${before[1]!.trim()}@postgres:5432/supaplane`,
      );
      expect(Buffer.from(config.SUPAPLANE_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
      const bad = await run(process.execPath, [script, mkdtempSync(path.join(dir, 'x'))], {
        env: { PATH: '', POSTGRES_PASSWORD: 'has spaces and $' },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('POSTGRES_PASSWORD') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
