import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyLimitFor } from '../../src/http/limits/body-limits.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from '../support/api.js';
import { SPEC } from '../support/v1-spec.js';
import { fillPath, servedRoutes } from '../support/served-routes.js';

/**
 * Issue 17: one body limit on every route, read from the router, checked before
 * anything (auth, validation, a handler) reads the body; and the nesting limit that
 * keeps deep JSON from reaching JSON.stringify in the proxies (security audit
 * finding 8, issue 18 item 6).
 */
let h: ApiHarness;
let owner: SignedInUser;
let ref: string;

// Wildcard proxies, by concrete paths Studio sends bodies to.
const PROXY_SAMPLES = [
  'POST /platform/pg-meta/:ref/query',
  'PATCH /platform/pg-meta/:ref/tables',
  'DELETE /platform/pg-meta/:ref/columns',
];
const BODYLESS = new Set(['GET', 'HEAD', 'OPTIONS']);

const routesWithBodies = () =>
  servedRoutes(h.app.routes, PROXY_SAMPLES).filter((r) => !BODYLESS.has(r.method));

const fill = (path: string) => fillPath(path, { ref, slug: h.org.slug });

/** A JSON object of exactly `bytes` bytes, all unknown fields but a plausible name. */
function jsonOfSize(bytes: number): string {
  const head = '{"name":"Limit test","pad":"';
  return head + 'a'.repeat(bytes - head.length - 2) + '"}';
}

/** Rows in every table of our schema, as one fingerprint of side effects. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await h.db.db.execute<{ name: string }>(
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await h.db.db.execute<{ n: number }>(
      sql`select count(*)::int as n from ${sql.identifier(name)}`,
    );
    out[name] = row!.n;
  }
  return out;
}

/** Request-log lines (src/observability/http-log.ts) of answers with `status`. */
const loggedAnswers = (status: number) =>
  h.logLines
    .map(
      (l) => JSON.parse(l) as { req?: { route: string; path: string }; res?: { status: number } },
    )
    .filter((l) => l.res?.status === status);

beforeAll(async () => {
  h = await startApiHarness();
  owner = await h.signIn('owner');
  const p = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name: 'Limited' },
  });
  ref = p.ref;
  await h.settle(ref, 'ACTIVE_HEALTHY');
}, 60_000);
afterAll(async () => {
  await h.close();
});

describe('the body limit', () => {
  it('answers 413 with a message to a body one byte over the limit on every route, before its handler runs', async () => {
    const routes = routesWithBodies();
    expect(routes.length).toBeGreaterThan(60);
    const limitFor = bodyLimitFor(h.deps.config);
    const before = await rowCounts();
    const coolifyCalls = h.sim.calls.length;
    const gatewayCalls = h.sim.gatewayCalls.length;
    h.logLines.length = 0;
    const bodies = new Map<number, string>();
    let sent = 0;
    for (const { method, path } of routes) {
      const url = fill(path);
      const limit = limitFor(url).bytes;
      if (!bodies.has(limit)) bodies.set(limit, jsonOfSize(limit + 1));
      const body = bodies.get(limit)!;
      // Without a length (read and counted, as a chunked body is) and with one (refused unread).
      for (const headers of [{}, { 'Content-Length': String(limit + 1) }] as Record<
        string,
        string
      >[]) {
        const res = await h.call(method, url, { as: owner, body, headers });
        sent++;
        expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBe(413);
        const { message, error } = res.body as { message: string; error: string };
        expect(error).toBe('payload_too_large');
        expect(message, `${method} ${path}`).toContain(
          limit >= 1024 * 1024 ? `${limit / 1024 / 1024} MB` : `${limit / 1024} KB`,
        );
      }
    }
    // No handler ran: nothing was written, nothing was asked of Coolify or a project,
    // and the request log names the limits middleware ("*", logged as unmatched), not
    // a route, as the one that answered each request.
    expect(await rowCounts()).toEqual(before);
    expect(h.sim.calls.length).toBe(coolifyCalls);
    expect(h.sim.gatewayCalls.length).toBe(gatewayCalls);
    const answered = loggedAnswers(413);
    expect(answered).toHaveLength(sent);
    expect(new Set(answered.map((l) => l.req!.route))).toEqual(new Set(['unmatched']));
  });

  it('refuses a streamed body at the first chunk past the limit, without reading the rest', async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        // A 50 MB body, if it were read to the end.
        if (pulled * chunk.byteLength > 50 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await h.app.request('/auth/v1/token?grant_type=password', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    // 64 KB is 4 chunks; the stream may have been asked for a couple more ahead.
    expect(pulled).toBeLessThan(10);
  });

  it('lets a body of exactly the limit through, keeping only the fields the route knows', async () => {
    const limit = h.deps.config.SUPAPLANE_BODY_LIMIT_BYTES;
    const res = await h.call('POST', '/platform/organizations', {
      as: owner,
      body: jsonOfSize(limit),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const slug = (res.body as { slug: string }).slug;
    const [row] = await h.db.db.execute<Record<string, unknown>>(
      sql`select to_jsonb(o) as row from organizations o where slug = ${slug}`,
    );
    // "Ignored and never stored": the padding appears in no column.
    expect(JSON.stringify(row)).not.toContain('aaaaaaaaaa');
  });

  it('matches BODY_LIMITS under SUPAPLANE_BASE_PATH, segment by segment', () => {
    const limitFor = bodyLimitFor({ ...h.deps.config, SUPAPLANE_BASE_PATH: '/api' });
    const bytes = (path: string) => limitFor(path).bytes;
    expect(bytes('/api/platform/storage/abc/buckets/b/objects/list')).toBe(8 * 1024 * 1024);
    expect(bytes('/api/v1/projects/abc/database/query/')).toBe(4 * 1024 * 1024);
    // Without the base path, or with the ref spanning segments, the default applies.
    expect(bytes('/platform/storage/abc/buckets')).toBe(64 * 1024);
    expect(bytes('/api/v1/projects/a/b/database/query')).toBe(64 * 1024);
    expect(bytes('/api/v1/projects/abc/database/queryx')).toBe(64 * 1024);
  });

  it('gives the routes in BODY_LIMITS their larger limit', async () => {
    const mb = 1024 * 1024;
    // 100 KB of SQL passes the pg-meta proxy's 1 MB (and is forwarded), not the default 64 KB.
    const query = `select '${'a'.repeat(100 * 1024)}'`;
    const res = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      as: owner,
      body: { query },
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 200)).not.toBe(413);
    const big = await h.call('POST', `/platform/pg-meta/${ref}/query`, {
      as: owner,
      body: { query: 'a'.repeat(mb) },
    });
    expect(big.status).toBe(413);
    expect((big.body as { message: string }).message).toMatch(/1 MB/);
  });
});

describe('other unbounded inputs', () => {
  /** `{"a":{"a":…1…}}`, `levels` deep. */
  const nested = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

  it('refuses JSON nested 10,000 levels deep with 400 on the proxies that used to answer 500', async () => {
    const gatewayCalls = h.sim.gatewayCalls.length;
    const deep = nested(10_000);
    for (const [method, path, body] of [
      ['POST', `/platform/storage/${ref}/buckets/b/objects/list`, `{"path":"","options":${deep}}`],
      ['POST', `/platform/auth/${ref}/users`, `{"email":"a@b.c","user_metadata":${deep}}`],
      ['PATCH', `/platform/auth/${ref}/users/u1`, `{"app_metadata":${deep}}`],
      [
        'POST',
        `/v1/projects/${ref}/database/query`,
        `{"query":"select $1","parameters":[${deep}]}`,
      ],
      ['POST', '/platform/organizations', `{"name":"Deep","x":${deep}}`],
    ] as const) {
      const res = await h.call(method, path, { as: owner, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBe(400);
      expect((res.body as { message: string }).message).toBe(
        'Request body is nested deeper than 64 levels',
      );
    }
    expect(h.sim.gatewayCalls.length).toBe(gatewayCalls);
  });

  it('counts only real nesting: brackets inside strings do not count, 64 levels pass', async () => {
    const res = await h.call('POST', `/platform/storage/${ref}/buckets/b/objects/list`, {
      as: owner,
      body: `{"path":"${'[{'.repeat(500)}","options":${nested(63)}}`,
    });
    expect(res.status, JSON.stringify(res.body)).not.toBe(400);
  });

  it('refuses a URL longer than the limit with 414 and a message, reads included', async () => {
    const res = await h.call('GET', `/platform/projects?search=${'a'.repeat(9000)}`, { as: owner });
    expect(res.status).toBe(414);
    expect((res.body as { message: string }).message).toBe('Request URL is longer than 8 KB');
  });
});

describe('unknown fields', () => {
  type Doc = {
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: {
            content?: Record<
              string,
              { schema?: { $ref?: string; additionalProperties?: unknown } }
            >;
          };
        }
      >
    >;
    components?: { schemas?: Record<string, { additionalProperties?: unknown }> };
  };
  /** `METHOD /path` of every JSON body schema that refuses unknown fields. */
  const refusing = (doc: Doc) => {
    const out: string[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        let schema = op.requestBody?.content?.['application/json']?.schema;
        if (schema?.$ref) schema = doc.components?.schemas?.[schema.$ref.split('/').pop()!];
        if (schema?.additionalProperties === false) out.push(`${method.toUpperCase()} ${path}`);
      }
    return out.sort();
  };

  it('are refused only where the Management API contract refuses them, and ignored everywhere else', async () => {
    const ours = (await h.call('GET', '/openapi.json')).body as Doc;
    const served = new Set(
      Object.entries(ours.paths).flatMap(([path, item]) =>
        Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const contract = refusing(SPEC as Doc).filter((r) => served.has(r));
    expect(contract).toEqual([
      'PATCH /v1/projects/{ref}/config/storage',
      'POST /v1/organizations',
      'POST /v1/projects',
    ]);
    expect(refusing(ours)).toEqual(contract);
  });
});
