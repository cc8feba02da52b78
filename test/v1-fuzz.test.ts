import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projects } from '../src/db/schema/index.js';
import type { SignedInUser } from './support/api.js';
import { startV1Env, type V1Env } from './support/v1-env.js';

/**
 * Property: malformed bodies, parameters and headers on every /v1 route (and
 * Studio's access-token routes) never produce a response ≥ 500.
 */
let env: V1Env;
let owner: SignedInUser;
let token: string;
let ref: string;

beforeAll(async () => {
  env = await startV1Env({ SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: '1000000' });
  owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  ref = await env.activeProject('Fuzzed');
});
afterAll(() => env?.close());

interface Route {
  method: string;
  path: string;
  /** Parameter names in `path` ({name}). */
  body?: boolean;
  /** Routes that would stop or remove the project under test never get its real ref. */
  destructive?: boolean;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/v1/organizations' },
  { method: 'POST', path: '/v1/organizations', body: true },
  { method: 'GET', path: '/v1/organizations/{slug}' },
  { method: 'GET', path: '/v1/organizations/{slug}/members' },
  { method: 'GET', path: '/v1/organizations/{slug}/projects' },
  { method: 'GET', path: '/v1/projects' },
  { method: 'POST', path: '/v1/projects', body: true },
  { method: 'GET', path: '/v1/projects/available-regions' },
  { method: 'GET', path: '/v1/projects/{ref}' },
  { method: 'PATCH', path: '/v1/projects/{ref}', body: true },
  { method: 'DELETE', path: '/v1/projects/{ref}', destructive: true },
  { method: 'POST', path: '/v1/projects/{ref}/pause', destructive: true },
  { method: 'GET', path: '/v1/projects/{ref}/restore' },
  { method: 'POST', path: '/v1/projects/{ref}/restore', destructive: true },
  { method: 'GET', path: '/v1/projects/{ref}/health' },
  { method: 'GET', path: '/v1/projects/{ref}/api-keys' },
  { method: 'POST', path: '/v1/projects/{ref}/api-keys', body: true },
  { method: 'GET', path: '/v1/projects/{ref}/api-keys/legacy' },
  { method: 'GET', path: '/v1/projects/{ref}/api-keys/{id}' },
  { method: 'PATCH', path: '/v1/projects/{ref}/api-keys/{id}', body: true },
  { method: 'DELETE', path: '/v1/projects/{ref}/api-keys/{id}' },
  { method: 'POST', path: '/v1/projects/{ref}/database/query', body: true },
  { method: 'POST', path: '/v1/projects/{ref}/database/query/read-only', body: true },
  { method: 'GET', path: '/v1/projects/{ref}/database/migrations' },
  { method: 'POST', path: '/v1/projects/{ref}/database/migrations', body: true },
  { method: 'GET', path: '/v1/projects/{ref}/database/migrations/{version}' },
  { method: 'GET', path: '/v1/projects/{ref}/types/typescript' },
  { method: 'GET', path: '/v1/projects/{ref}/secrets' },
  { method: 'POST', path: '/v1/projects/{ref}/secrets', body: true },
  { method: 'DELETE', path: '/v1/projects/{ref}/secrets', body: true },
  { method: 'GET', path: '/platform/profile/access-tokens' },
  { method: 'POST', path: '/platform/profile/access-tokens', body: true },
  { method: 'DELETE', path: '/platform/profile/access-tokens/{id}' },
];

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '%', '../..', 'null', '-1', '1e309', 'a'.repeat(300)),
);

/** A parameter: mostly garbage, sometimes a plausible or a real value. */
const param = (name: string, real: () => string, allowReal: boolean) =>
  fc
    .oneof(
      text,
      fc.stringMatching(/^[a-z]{20}$/),
      fc.uuid().map(String),
      fc.constantFrom('anon', 'service_role', '20240101000000', env.h.org.slug),
      fc.integer().map(String),
      ...(allowReal ? [fc.constant(real())] : []),
    )
    .map((v) => ({ name, v }));

/** Bodies that are wrong in shape, type or syntax (with the odd valid one). */
const body = fc.oneof(
  fc.jsonValue(),
  fc.string().map((s) => ({ raw: s })),
  fc.constantFrom({ raw: '{' }, { raw: '[' }, { raw: '' }, { raw: 'null' }),
  fc.record(
    {
      name: text,
      query: fc.oneof(text, fc.constantFrom('select 1', 'select $1', 'begin', 'commit')),
      type: fc.oneof(text, fc.constantFrom('publishable', 'secret')),
      organization_slug: fc.oneof(text, fc.constant('SLUG')),
      db_pass: text,
      region: text,
      region_selection: fc.oneof(fc.jsonValue(), fc.record({ type: text, code: text })),
      parameters: fc.jsonValue(),
      value: text,
      expires_at: text,
      description: fc.oneof(text, fc.constant(null)),
      secret_jwt_template: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.array(fc.oneof(text, fc.record({ name: text, value: text }, { requiredKeys: [] })), {
    maxLength: 5,
  }),
);

const query = fc.dictionary(
  fc.oneof(
    fc.constantFrom('reveal', 'limit', 'offset', 'sort', 'statuses', 'search', 'services'),
    fc.constantFrom('timeout_ms', 'organization_slug', 'included_schemas', 'was_compromised'),
    fc.string({ maxLength: 8 }),
  ),
  text,
  { maxKeys: 4 },
);

/** Query parameters a route reads, so that fuzzing reaches past "missing parameter". */
const ROUTE_QUERY: Record<string, fc.Arbitrary<Record<string, string>>> = {
  '/v1/projects/{ref}/health': fc.record({
    services: fc.oneof(text, fc.constantFrom('auth,rest', 'db', 'storage,realtime', 'pooler')),
    timeout_ms: fc.oneof(text, fc.constantFrom('1', '200', '10000', '10001')),
  }),
  '/v1/projects/available-regions': fc.record({
    organization_slug: fc.oneof(text, fc.constant('SLUG')),
  }),
  '/v1/projects/{ref}/types/typescript': fc.record({
    included_schemas: fc.oneof(text, fc.constantFrom('public', 'public,auth', ',,', 'nope')),
  }),
};

const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
    ),
    'idempotency-key': fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(300))),
  },
  { requiredKeys: [] },
);

function encode(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined; // a lone surrogate cannot be put in a URL at all
  }
}

async function keepProjectUsable() {
  const [row] = await env.h.db.db.select().from(projects).where(eq(projects.ref, ref));
  if (row?.status === 'ACTIVE_HEALTHY') return;
  await env.h.jobsIdle();
  await env.h.db.db.update(projects).set({ status: 'ACTIVE_HEALTHY' }).where(eq(projects.ref, ref));
}

describe('fuzzing every /v1 route', () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.path} never answers ≥ 500`, async () => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const real: Record<string, () => string> = {
        ref: () => ref,
        slug: () => env.h.org.slug,
        id: () => 'anon',
        version: () => '20240101000000',
      };
      await fc.assert(
        fc
          .asyncProperty(
            fc.tuple(...names.map((n) => param(n, real[n]!, !route.destructive))),
            fc.tuple(query, ROUTE_QUERY[route.path] ?? fc.constant({})).map(([a, b]) => ({
              ...a,
              ...b,
            })),
            route.body ? fc.option(body, { nil: undefined }) : fc.constant(undefined),
            headers,
            async (params, q, b, h) => {
              let path = route.path;
              for (const { name, v } of params) {
                const enc = encode(v);
                if (enc === undefined) return;
                path = path.replace(`{${name}}`, enc);
              }
              const search = Object.entries(q as Record<string, string>)
                .map(([k, v]) => [encode(k), encode(v)])
                .filter(([k, v]) => k !== undefined && v !== undefined)
                .map(([k, v]) => `${k}=${v === 'SLUG' ? env.h.org.slug : v}`)
                .join('&');
              if (
                b &&
                typeof b === 'object' &&
                (b as { organization_slug?: unknown }).organization_slug === 'SLUG'
              ) {
                (b as { organization_slug: string }).organization_slug = env.h.org.slug;
              }
              const raw =
                b !== null && typeof b === 'object' && 'raw' in (b as object)
                  ? String((b as { raw: unknown }).raw)
                  : b === undefined
                    ? undefined
                    : JSON.stringify(b);
              const requestHeaders: Record<string, string> = { Authorization: `Bearer ${token}` };
              for (const [k, v] of Object.entries(h)) if (v) requestHeaders[k] = v;
              const res = await env.h.app.request(`${path}${search ? `?${search}` : ''}`, {
                method: route.method,
                headers: requestHeaders,
                body: raw,
              });
              const text = await res.text();
              if (res.status >= 500) {
                throw new Error(
                  `${route.method} ${path}?${search} ${raw ?? ''} → ${res.status} ${text}`,
                );
              }
              if (res.status >= 400) expect(JSON.parse(text)).toHaveProperty('message');
            },
          )
          .beforeEach(keepProjectUsable),
        { numRuns: 40, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
      );
    });
  }
});
