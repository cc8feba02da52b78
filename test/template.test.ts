import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  CURRENT_TEMPLATE_VERSION,
  PROJECT_SECRET_KEYS,
  type ProjectSecretValues,
  encodeCompose,
  loadTemplate,
  referencedVariables,
  templateEnv,
} from '../src/provisioner/template.js';
import { renderForTest } from './support/render-compose.js';

interface Volume {
  type?: string;
  source?: string;
  target?: string;
  content?: string;
}
interface Service {
  image?: string;
  container_name?: string;
  ports?: unknown;
  healthcheck?: { test?: unknown; disable?: boolean };
  environment?: string[] | Record<string, string | null>;
  volumes?: (string | Volume)[];
  exclude_from_hc?: boolean;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}
interface KongPlugin {
  name: string;
  config?: { allow?: string[] };
}
interface KongConfig {
  consumers: { username: string }[];
  acls: { consumer: string; group: string }[];
  services: { name: string; url: string; routes: { paths: string[] }[]; plugins?: KongPlugin[] }[];
}

// The variable contract from coolify-templates/supabase/README.md, spelled out here so
// that a drift in PROJECT_SECRET_KEYS or the template shows up as a failure.
const CONTRACT = [
  'JWT_SECRET',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_KEY',
  'POSTGRES_PASSWORD',
  'DASHBOARD_USERNAME',
  'DASHBOARD_PASSWORD',
  'SECRET_KEY_BASE',
  'VAULT_ENC_KEY',
  'PG_META_CRYPTO_KEY',
  'LOGFLARE_PUBLIC_ACCESS_TOKEN',
  'LOGFLARE_PRIVATE_ACCESS_TOKEN',
  'SUPABASE_PUBLISHABLE_KEY',
  'SUPABASE_SECRET_KEY',
  'REALTIME_DB_ENC_KEY',
  'PROJECT_REF',
  'SUPABASE_PUBLIC_URL',
  'API_EXTERNAL_URL',
  'SITE_URL',
  'JWT_EXPIRY',
].sort();

// v1 is frozen for existing projects; a bump belongs in a new template folder.
const V1_IMAGES: Record<string, string> = {
  'supabase-kong': 'kong/kong:3.9.1',
  'supabase-db': 'supabase/postgres:15.8.1.085',
  'supabase-auth': 'supabase/gotrue:v2.186.0',
  'supabase-rest': 'postgrest/postgrest:v14.5',
  'realtime-dev': 'supabase/realtime:v2.76.5',
  'supabase-storage': 'supabase/storage-api:v1.44.2',
  imgproxy: 'darthsim/imgproxy:v3.30.1',
  'supabase-meta': 'supabase/postgres-meta:v0.95.2',
  'supabase-edge-functions': 'supabase/edge-runtime:v1.70.3',
};

const compose = await loadTemplate('v1');
const doc = parse(compose) as Compose;
const services = Object.entries(doc.services);

function envOf(svc: Service): Map<string, string | undefined> {
  const env = svc.environment ?? [];
  if (!Array.isArray(env)) return new Map(Object.entries(env).map(([k, v]) => [k, v ?? undefined]));
  return new Map(
    env.map((line) => {
      const eq = line.indexOf('=');
      return eq < 0 ? [line, undefined] : [line.slice(0, eq), line.slice(eq + 1)];
    }),
  );
}

const refersTo = (value: string | undefined, name: string) =>
  new RegExp(`^\\$\\{${name}\\}$`).test(value ?? '');

const contents = services.flatMap(([, svc]) =>
  (svc.volumes ?? []).flatMap((v) => (typeof v === 'object' && v.content ? [v] : [])),
);

function kongConfig(): KongConfig {
  const file = contents.find((v) => v.target === '/home/kong/temp.yml');
  if (!file?.content) throw new Error('kong.yml content not found');
  return parse(file.content) as KongConfig;
}

/** All strings of the parsed compose except inline file bodies. */
function composeStrings(node: unknown, key = ''): string[] {
  if (key === 'content') return [];
  if (typeof node === 'string') return [key, node];
  if (Array.isArray(node)) return node.flatMap((n) => composeStrings(n));
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => [k, ...composeStrings(v, k)]);
  }
  return [];
}

function sampleSecrets(): ProjectSecretValues {
  const secrets = Object.fromEntries(
    PROJECT_SECRET_KEYS.map((k) => [k, `${k.toLowerCase()}-Dummy.value_9`]),
  ) as unknown as ProjectSecretValues;
  secrets.REALTIME_DB_ENC_KEY = 'abcdefgh.1234_-Z';
  return secrets;
}

const sampleInput = {
  version: 'v1',
  ref: 'abcdefghijklmnopqrst',
  publicUrl: 'https://abcdefghijklmnopqrst.example.com',
  secrets: sampleSecrets(),
};

describe('supabase template v1: structure', () => {
  it('has exactly the expected services', () => {
    expect(Object.keys(doc.services).sort()).toEqual(Object.keys(V1_IMAGES).sort());
  });

  it('pins every image to an explicit tag that is not latest', () => {
    for (const [name, svc] of services) {
      const image = svc.image ?? '';
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      expect(tag, `${name} image ${image}`).toBeDefined();
      expect(tag).not.toBe('latest');
      expect(image, name).toBe(V1_IMAGES[name]);
    }
  });

  it('sets no container_name and publishes no host ports', () => {
    for (const [name, svc] of services) {
      expect(svc.container_name, name).toBeUndefined();
      expect(svc.ports, name).toBeUndefined();
    }
  });

  it('never mounts the Docker socket, and binds only inside the service folder', () => {
    expect(compose).not.toMatch(/docker\.sock/);
    for (const [name, svc] of services) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? (v.split(':')[0] ?? '') : (v.source ?? '');
        const isNamed = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source);
        expect(isNamed || source.startsWith('./'), `${name}: ${source}`).toBe(true);
        if (isNamed) expect(Object.keys(doc.volumes ?? {}), name).toContain(source);
      }
    }
  });

  it('declares the named volumes Coolify renames per service', () => {
    expect(Object.keys(doc.volumes ?? {}).sort()).toEqual(
      ['deno-cache', 'supabase-db-config', 'supabase-db-data', 'supabase-storage-data'].sort(),
    );
  });

  it('gives the public domain to Kong only', () => {
    expect(envOf(doc.services['supabase-kong']!).has('SERVICE_URL_SUPABASEKONG_8000')).toBe(true);
    for (const [name, svc] of services) {
      const magic = [...envOf(svc).keys()].filter((k) => /^SERVICE_(URL|FQDN)_/.test(k));
      expect(magic, name).toEqual(
        name === 'supabase-kong' ? ['SERVICE_URL_SUPABASEKONG_8000'] : [],
      );
    }
  });

  it('wires realtime, auth and storage to the project variables', () => {
    const realtime = envOf(doc.services['realtime-dev']!);
    expect(refersTo(realtime.get('SECRET_KEY_BASE'), 'SECRET_KEY_BASE')).toBe(true);
    expect(refersTo(realtime.get('DB_ENC_KEY'), 'REALTIME_DB_ENC_KEY')).toBe(true);
    expect(refersTo(realtime.get('API_JWT_SECRET'), 'JWT_SECRET')).toBe(true);
    const auth = envOf(doc.services['supabase-auth']!);
    expect(refersTo(auth.get('API_EXTERNAL_URL'), 'API_EXTERNAL_URL')).toBe(true);
    expect(refersTo(auth.get('GOTRUE_SITE_URL'), 'SITE_URL')).toBe(true);
    expect(envOf(doc.services['supabase-storage']!).get('STORAGE_BACKEND')).toBe('file');
  });

  it('has a healthcheck on every container not excluded from status', () => {
    for (const [name, svc] of services) {
      if (svc.exclude_from_hc) continue;
      expect(svc.healthcheck?.test, name).toBeTruthy();
      expect(svc.healthcheck?.disable, name).not.toBe(true);
    }
  });

  it('keeps `$` in inline files for runtime and out of compose interpolation', () => {
    // Coolify writes content: verbatim and strips it from the compose it runs.
    for (const file of contents) expect(file.content, file.source).not.toContain('${');
    // Elsewhere compose would interpolate a bare $NAME, so only ${...} and $$ may appear.
    for (const s of composeStrings(doc)) {
      expect(s.replace(/\$\$|\$\{[^}]*\}/g, ''), s).not.toContain('$');
    }
  });
});

describe('supabase template v1: Kong', () => {
  const kong = kongConfig();
  const byPath = (path: string) =>
    kong.services.find((s) => s.routes.some((r) => r.paths.includes(path)));
  const plugin = (path: string, name: string) =>
    byPath(path)?.plugins?.find((p) => p.name === name);

  it('restricts /pg/ (postgres-meta) to the service_role (admin) ACL', () => {
    expect(byPath('/pg/')?.url).toBe('http://supabase-meta:8080/');
    expect(plugin('/pg/', 'key-auth')).toBeDefined();
    expect(plugin('/pg/', 'acl')?.config?.allow).toEqual(['admin']);
    const admins = kong.acls.filter((a) => a.group === 'admin').map((a) => a.consumer);
    expect(admins).toEqual(['service_role']);
  });

  it('requires an apikey on the APIs and blocks MCP', () => {
    for (const path of ['/auth/v1/', '/rest/v1/', '/graphql/v1', '/realtime/v1/']) {
      expect(plugin(path, 'key-auth'), path).toBeDefined();
      expect(plugin(path, 'acl')?.config?.allow?.sort(), path).toEqual(['admin', 'anon']);
    }
    expect(byPath('/storage/v1/')).toBeDefined();
    expect(byPath('/functions/v1/')).toBeDefined();
    for (const path of ['/mcp', '/api/mcp']) {
      expect(plugin(path, 'request-termination'), path).toBeDefined();
    }
  });

  it('has no Studio catch-all route', () => {
    expect(byPath('/')).toBeUndefined();
    expect(JSON.stringify(kong)).not.toMatch(/studio|basic-auth/);
  });

  it('accepts legacy JWT and sb_ keys for both roles', () => {
    expect(kong.consumers).toEqual([
      {
        username: 'anon',
        keyauth_credentials: [{ key: '$SUPABASE_ANON_KEY' }, { key: '$SUPABASE_PUBLISHABLE_KEY' }],
      },
      {
        username: 'service_role',
        keyauth_credentials: [{ key: '$SUPABASE_SERVICE_KEY' }, { key: '$SUPABASE_SECRET_KEY' }],
      },
    ]);
  });
});

describe('supabase template v1: variables and rendering', () => {
  it('references only the variable contract', () => {
    const names = referencedVariables(compose);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(CONTRACT, name).toContain(name);
    expect(Object.keys(templateEnv(sampleInput)).sort()).toEqual(CONTRACT);
  });

  it('renders completely with templateEnv', () => {
    const env = templateEnv(sampleInput);
    const rendered = renderForTest(compose, env);
    expect(referencedVariables(rendered)).toEqual([]);
    const out = parse(rendered) as Compose;
    const kong = envOf(out.services['supabase-kong']!);
    expect(kong.get('SUPABASE_ANON_KEY')).toBe(sampleInput.secrets.SUPABASE_ANON_KEY);
    const auth = envOf(out.services['supabase-auth']!);
    expect(auth.get('API_EXTERNAL_URL')).toBe('https://abcdefghijklmnopqrst.example.com');
  });

  it('fails to render when any referenced variable is missing', () => {
    const env = templateEnv(sampleInput);
    for (const name of referencedVariables(compose)) {
      const partial: Record<string, string> = { ...env };
      delete partial[name];
      expect(() => renderForTest(compose, partial), name).toThrow(new RegExp(`\\b${name}\\b`));
    }
  });

  it('follows compose interpolation rules', () => {
    expect(renderForTest('a=${A:-x} b=${B-y} c=$${C} d=$$ e=${E}', { B: '', E: 'e' })).toBe(
      'a=x b= c=$${C} d=$$ e=e',
    );
    expect(() => renderForTest('${A:?A is required}', { A: '' })).toThrow(/\bA\b/);
    expect(renderForTest('${A?set}', { A: '' })).toBe('');
    expect(() => renderForTest('x ${A', { A: 'a' })).toThrow(/Unsupported/);
    expect(() => renderForTest('${A:-${B}}', { A: 'a', B: 'b' })).toThrow(/Unsupported/);
    expect(referencedVariables('$${A} ${B:?x} $$${C} ${SERVICE_URL_SUPABASEKONG_8000}')).toEqual([
      'B',
      'C',
    ]);
  });
});

describe('templateEnv', () => {
  it('uses the bare origin for every public URL', () => {
    const env = templateEnv({ ...sampleInput, publicUrl: 'https://ABCdef.Example.com/' });
    expect(env.SITE_URL).toBe('https://abcdef.example.com');
    expect(env.SUPABASE_PUBLIC_URL).toBe(env.SITE_URL);
    expect(env.JWT_EXPIRY).toBe('3600');
  });

  it('rejects values the template cannot carry, without echoing them', () => {
    const secrets = { ...sampleSecrets(), POSTGRES_PASSWORD: 'p@ss/word' };
    expect(() => templateEnv({ ...sampleInput, secrets })).toThrow(/POSTGRES_PASSWORD/);
    expect(() => templateEnv({ ...sampleInput, secrets })).not.toThrow(/p@ss/);
    const dollar = { ...sampleSecrets(), JWT_SECRET: 'a$b' };
    expect(() => templateEnv({ ...sampleInput, secrets: dollar })).toThrow(/JWT_SECRET/);
    const short = { ...sampleSecrets(), REALTIME_DB_ENC_KEY: 'short' };
    expect(() => templateEnv({ ...sampleInput, secrets: short })).toThrow(/16/);
    expect(() => templateEnv({ ...sampleInput, publicUrl: 'https://x.example.com/api' })).toThrow();
    expect(() => templateEnv({ ...sampleInput, ref: 'Bad_Ref' })).toThrow(/ref/);
  });
});

describe('encodeCompose', () => {
  it('round-trips as canonical single-line base64', () => {
    for (const text of [compose, 'ümlaut: ✓\n', 'x']) {
      const encoded = encodeCompose(text);
      expect(encoded).not.toContain('\n');
      expect(encoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
      expect(encoded.length % 4).toBe(0);
      const decoded = Buffer.from(encoded, 'base64');
      expect(decoded.toString('utf8')).toBe(text);
      expect(decoded.toString('base64')).toBe(encoded);
    }
  });
});

describe('loadTemplate', () => {
  it('loads the current version and caches it', async () => {
    // New projects get v2; v1 stays loadable, unchanged, for the projects created on it.
    expect(CURRENT_TEMPLATE_VERSION).toBe('v2');
    await expect(loadTemplate('v1')).resolves.toBe(compose);
    await expect(loadTemplate(CURRENT_TEMPLATE_VERSION)).resolves.toBe(
      await loadTemplate(CURRENT_TEMPLATE_VERSION),
    );
  });

  it('rejects unknown and malformed versions', async () => {
    await expect(loadTemplate('v999')).rejects.toThrow(/Unknown template version/);
    await expect(loadTemplate('../x')).rejects.toThrow(/Invalid template version/);
    await expect(loadTemplate('v1/../../x')).rejects.toThrow(/Invalid template version/);
  });
});

// Coolify stores the text after `:?`/`?` as the variable's value (parsers.php:2405-2431,
// services.php:71-97@379abb25), so such a guard never fires. Every template, present or future.
describe('no template carries a ${VAR:?message} guard (parsers.php:2405-2431@379abb25)', () => {
  const root = path.resolve(import.meta.dirname, '../coolify-templates');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) =>
    /\.ya?ml$/.test(f),
  );
  it('finds the templates', () => {
    expect(files).toEqual(
      expect.arrayContaining(['supaplane.yaml', 'supabase/v1/docker-compose.yaml']),
    );
  });
  for (const file of files) {
    it(`${file} has no \${VAR?message} or \${VAR:?message}`, () => {
      const text = readFileSync(path.join(root, file), 'utf8');
      const guards = [...text.matchAll(/\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]+\}/g)].map((m) => m[0]);
      expect(guards).toEqual([]);
    });
  }
});
