import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from './support/api.js';
import { cliDeployForm } from './functions/cli-form.js';
import { startV1Env, type V1Env } from './support/v1-env.js';

/**
 * Property: a body generated from the route's own request schema (as served in
 * /openapi.json) gets a 2xx or one of the 4xx the operation documents, never a 5xx,
 * and every /v1 write route answers 2xx for some of them: the handlers themselves
 * run, not only validation. Values the schema cannot know (a real organization
 * slug, SQL that parses, an existing key id) are put in by the route's fixture.
 */
let env: V1Env;
let owner: SignedInUser;
let token: string;
let ref: string;
let doc: OpenApi;

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
}
interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: { 'application/json'?: { schema: Schema } } };
        responses: Record<string, unknown>;
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

/**
 * A JSON Schema (the subset zod-openapi emits) as a fast-check arbitrary of valid
 * values. `minimal`: objects carry their required properties only.
 */
function arbitrary(s: Schema, minimal = false): fc.Arbitrary<unknown> {
  const arb = (x: Schema) => arbitrary(x, minimal);
  if (s.$ref) return arb(doc.components.schemas[s.$ref.split('/').at(-1)!]!);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf ?? s.oneOf) return fc.oneof(...(s.anyOf ?? s.oneOf)!.map(arb));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => arb({ ...s, type })));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'string': {
      if (s.format === 'uuid') return fc.uuid();
      if (s.format === 'date-time') return fc.date().map((d) => d.toISOString());
      const minLength = s.minLength ?? 0;
      const maxLength = Math.min(s.maxLength ?? 40, minLength + 40);
      if (s.pattern) {
        const re = new RegExp(s.pattern);
        const fits = (v: string) => v.length >= minLength && v.length <= maxLength && re.test(v);
        // fast-check cannot generate from lookaheads: filter plain strings instead.
        return (
          /\(\?[=!<]/.test(s.pattern) ? fc.string({ minLength, maxLength }) : fc.stringMatching(re)
        ).filter(fits);
      }
      return fc.string({ minLength, maxLength });
    }
    case 'array':
      return fc.array(arb(s.items ?? {}), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3),
      });
    case 'object': {
      const props = s.properties ?? {};
      if (!Object.keys(props).length)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 });
      const required = s.required ?? [];
      const keys = Object.entries(props).filter(([k]) => !minimal || required.includes(k));
      return fc.record(Object.fromEntries(keys.map(([k, v]) => [k, arb(v)])), {
        requiredKeys: required as never[],
      });
    }
    default:
      return fc.jsonValue();
  }
}

const SQL = fc.constantFrom(
  'select 1 as one',
  'select now()',
  'create table if not exists fuzz_notes (id serial primary key, body text)',
  'create table if not exists fuzz_notes (id serial primary key, body text); insert into fuzz_notes (body) values ($$hi$$)',
);

type Obj = Record<string, unknown>;

interface WriteRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  runs?: number;
  /** Path parameters for one run (a throwaway project for destructive routes). */
  params?: () => Promise<Record<string, string>>;
  /** Puts in what the schema cannot know; returns the body to send. */
  fix?: (body: unknown, params: Record<string, string>) => unknown;
  /** Sends a body that is not JSON (a multipart deploy) instead of `body`. */
  send?: (path: string) => Promise<{ status: number; body: unknown }>;
}

/** The shared project, back to ACTIVE_HEALTHY after whatever the previous run changed. */
const withRef = async () => {
  await env.h.settle(ref, 'ACTIVE_HEALTHY');
  return { ref };
};
/** A project of its own, brought up (and optionally paused) through the API's own verbs. */
const throwaway = (paused: boolean) => async () => {
  const p = await env.activeProject('Throwaway');
  if (paused) {
    const res = await env.h.call('POST', `/v1/projects/${p}/pause`, { token });
    expect(res.status).toBe(200);
    await env.h.settle(p, 'INACTIVE');
  }
  return { ref: p };
};
const freshKey = async () => {
  // Our stack holds one key per type: free the type, then make one to work on.
  const list = (await env.h.call('GET', `/v1/projects/${ref}/api-keys`, { token })).body as {
    id: string;
    type: string | null;
  }[];
  for (const k of list.filter((k) => k.type === 'secret'))
    await env.h.call('DELETE', `/v1/projects/${ref}/api-keys/${k.id}`, { token });
  const made = await env.h.call('POST', `/v1/projects/${ref}/api-keys`, {
    token,
    body: { type: 'secret', name: 'fuzz_key' },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return { ref, id: (made.body as { id: string }).id };
};

/** A function of the shared project, made through the API, to update or delete. */
const freshFunction = async () => {
  const slug = `fn_${Math.random().toString(36).slice(2, 10)}`;
  const made = await env.h.call('POST', `/v1/projects/${ref}/functions`, {
    token,
    body: { slug, name: slug, body: 'Deno.serve(() => new Response("ok"))' },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return { ref, function_slug: slug, id: (made.body as { id: string }).id };
};

const WRITES: WriteRoute[] = [
  { method: 'POST', path: '/v1/organizations' },
  {
    method: 'POST',
    path: '/v1/projects',
    runs: 4,
    fix: (b) => {
      const body: Obj = { ...(b as Obj), organization_slug: env.h.org.slug };
      delete body.organization_id;
      delete body.region;
      delete body.region_selection;
      return body;
    },
  },
  { method: 'PATCH', path: '/v1/projects/{ref}', params: withRef },
  { method: 'DELETE', path: '/v1/projects/{ref}', runs: 2, params: throwaway(false) },
  { method: 'POST', path: '/v1/projects/{ref}/pause', runs: 2, params: throwaway(false) },
  { method: 'POST', path: '/v1/projects/{ref}/restore', runs: 2, params: throwaway(true) },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/api-keys',
    // The generated type may be either: free both, or a publishable body meets a 409.
    params: async () => {
      const list = (await env.h.call('GET', `/v1/projects/${ref}/api-keys`, { token })).body as {
        id: string;
        type: string | null;
      }[];
      for (const k of list.filter((k) => k.type === 'secret' || k.type === 'publishable'))
        await env.h.call('DELETE', `/v1/projects/${ref}/api-keys/${k.id}`, { token });
      return { ref };
    },
  },
  { method: 'PATCH', path: '/v1/projects/{ref}/api-keys/{id}', params: freshKey },
  { method: 'DELETE', path: '/v1/projects/{ref}/api-keys/{id}', runs: 3, params: freshKey },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/database/query',
    params: withRef,
    fix: (b) => ({ ...(b as Obj), query: fc.sample(SQL, 1)[0], parameters: undefined }),
  },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/database/query/read-only',
    params: withRef,
    fix: (b) => ({ ...(b as Obj), query: 'select 1 as one', parameters: undefined }),
  },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/database/migrations',
    params: withRef,
    fix: (b) => ({ ...(b as Obj), query: fc.sample(SQL, 1)[0], rollback: undefined }),
  },
  // Settings: each change is applied with a restart. The auth and PostgREST bodies are
  // open records in the contract, so generated keys mean nothing: one known field is sent.
  {
    method: 'PATCH',
    path: '/v1/projects/{ref}/config/auth',
    runs: 3,
    params: withRef,
    fix: () => ({ jwt_exp: 3600 + Math.floor(Math.random() * 100) }),
  },
  {
    method: 'PATCH',
    path: '/v1/projects/{ref}/postgrest',
    runs: 3,
    params: withRef,
    fix: () => ({ max_rows: 1000 + Math.floor(Math.random() * 100) }),
  },
  { method: 'PATCH', path: '/v1/projects/{ref}/config/storage', runs: 3, params: withRef },
  { method: 'POST', path: '/v1/projects/{ref}/secrets', params: withRef },
  { method: 'DELETE', path: '/v1/projects/{ref}/secrets', params: withRef },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/functions',
    params: withRef,
    fix: (b) => ({
      ...(b as Obj),
      slug: `f${Math.random().toString(36).slice(2, 10)}`,
      body: 'Deno.serve(() => new Response("ok"))',
    }),
  },
  {
    method: 'PUT',
    path: '/v1/projects/{ref}/functions',
    params: freshFunction,
    fix: (b, p) =>
      (b as Obj[]).map((item) => ({
        ...item,
        id: p.id,
        slug: p.function_slug,
        version: 1,
      })),
  },
  { method: 'PATCH', path: '/v1/projects/{ref}/functions/{function_slug}', params: freshFunction },
  {
    method: 'DELETE',
    path: '/v1/projects/{ref}/functions/{function_slug}',
    runs: 3,
    params: freshFunction,
  },
  {
    method: 'POST',
    path: '/v1/projects/{ref}/functions/deploy',
    params: withRef,
    // The multipart body the CLI sends (test/functions/cli-form.ts).
    send: async (path) => {
      const form = cliDeployForm({ entrypoint_path: 'index.ts', name: 'deployed' }, [
        { path: 'index.ts', content: 'Deno.serve(() => new Response("ok"))' },
      ]);
      const res = await env.h.app.request(path, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': form.contentType },
        body: form.body,
      });
      return { status: res.status, body: await res.json() };
    },
  },
];

/**
 * Writes whose 2xx needs more than this file's environment, each with the test that sends
 * it valid and invalid bodies instead.
 */
const COVERED_ELSEWHERE: Record<string, string> = {
  // A 2xx is a real upgrade: a v1 project whose database is a Postgres 15 with the image's
  // roles (test/upgrades/support.ts). There: management-js's body, Studio's body, and bad
  // targets as 4xx with a message.
  'POST /v1/projects/{ref}/upgrade': 'test/upgrades/surfaces.test.ts',
};

beforeAll(async () => {
  // Hundreds of lifecycle writes in two minutes: Coolify's 200/min budget (tested on its
  // own in test/coolify/shared-budget.test.ts) would make jobs wait here, not fail.
  env = await startV1Env(
    { SUPAPLANE_API_RATE_LIMIT_PER_MINUTE: '1000000', COOLIFY_RATE_LIMIT_PER_MINUTE: '100000' },
    { rateLimitPerMinute: 100_000 },
  );
  owner = await env.h.signIn('owner');
  token = await env.pat(owner);
  ref = await env.activeProject('Valid bodies');
  doc = (await (await env.h.app.request('/openapi.json')).json()) as OpenApi;
}, 60_000);
afterAll(() => env?.close());

describe('valid bodies on every /v1 write route', () => {
  it('covers every /v1 write route the app serves', () => {
    const served = Object.entries(doc.paths).flatMap(([p, ops]) =>
      p.startsWith('/v1')
        ? Object.keys(ops)
            .filter((m) => m !== 'get')
            .map((m) => `${m.toUpperCase()} ${p}`)
        : [],
    );
    expect(
      [...WRITES.map((w) => `${w.method} ${w.path}`), ...Object.keys(COVERED_ELSEWHERE)].sort(),
    ).toEqual(served.sort());
  });

  for (const route of WRITES) {
    it(`${route.method} ${route.path}: 2xx or a documented 4xx, and 2xx reached`, async () => {
      const op = doc.paths[route.path]![route.method.toLowerCase()]!;
      const documented = Object.keys(op.responses).map(Number);
      const schema = op.requestBody?.content['application/json']?.schema;
      const seen: number[] = [];
      await fc.assert(
        fc.asyncProperty(schema ? arbitrary(schema) : fc.constant(undefined), async (generated) => {
          const params = (await route.params?.()) ?? {};
          const body = route.fix ? route.fix(generated, params) : generated;
          const path = route.path.replace(/\{(\w+)\}/g, (_, n: string) => params[n]!);
          const res = route.send
            ? await route.send(path)
            : await env.h.call(route.method, path, { token, body });
          seen.push(res.status);
          const what = `${route.method} ${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`;
          if (process.env.FUZZ_VERBOSE) console.info(what.slice(0, 400));
          expect(res.status, what).toBeLessThan(500);
          if (res.status >= 300) {
            expect(documented, what).toContain(res.status);
            expect(res.body, what).toHaveProperty('message');
          }
          // Lifecycle writes leave jobs behind; let them finish before the next run.
          await env.h.jobsIdle();
        }),
        {
          numRuns: route.runs ?? 6,
          seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31),
          // The first run sends only what the schema requires, which must be enough for a 2xx.
          examples: schema ? [[fc.sample(arbitrary(schema, true), 1)[0]]] : [],
        },
      );
      expect(
        seen.filter((s) => s >= 200 && s < 300).length,
        `statuses ${JSON.stringify(seen)}`,
      ).toBeGreaterThan(0);
    });
  }
});
