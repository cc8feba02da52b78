import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { SupabaseManagementAPI, SupabaseManagementAPIError } from 'supabase-management-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeFunctions, functionDeliveryTokens, projects } from '../../src/db/schema/index.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';
import { cliDeployForm } from './cli-form.js';

let h: ApiHarness;
let server: ServerType;
let base: string;
let token: string;
let client: SupabaseManagementAPI;
let ref: string;
let otherRef: string;

async function activeProject(name: string) {
  const p = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name },
  });
  return (await h.settle(p.ref, 'ACTIVE_HEALTHY')).ref;
}

/** What the project's stack got in its env: the delivery URL and token (ADR 0005). */
async function stackDelivery(projectRef: string) {
  const env = h.sim.envOf((await h.project(projectRef)).coolifyServiceUuid!);
  return { url: env.SUPAPLANE_FUNCTIONS_URL!, token: env.SUPAPLANE_FUNCTIONS_TOKEN! };
}

const deploy = (projectRef: string, form: ReturnType<typeof cliDeployForm>, query = '') =>
  fetch(`${base}/v1/projects/${projectRef}/functions/deploy${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': form.contentType },
    body: form.body,
  });

beforeAll(async () => {
  h = await startApiHarness({ env: { SUPAPLANE_PUBLIC_URL: 'https://supaplane.test' } });
  const owner = await h.signIn('owner');
  const pat = await h.call('POST', '/platform/profile/access-tokens', {
    as: owner,
    body: { name: 'functions' },
  });
  token = (pat.body as { token: string }).token;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve(info.port),
    );
  });
  base = `http://127.0.0.1:${port}`;
  client = new SupabaseManagementAPI({ accessToken: token, baseUrl: base });
  ref = await activeProject('Functions A');
  otherRef = await activeProject('Functions B');
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await h?.close();
});

describe('supabase-management-js functions calls against Supaplane', () => {
  it('creates, lists, reads the body of, updates and deletes a function', async () => {
    const source = 'Deno.serve(() => new Response("one"))\n';
    const created = await client.createAFunction(ref, {
      slug: 'hello',
      name: 'Hello',
      body: source,
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      slug: 'hello',
      name: 'Hello',
      status: 'ACTIVE',
      version: 1,
      verify_jwt: true,
      import_map: false,
      entrypoint_path: 'index.ts',
    });
    expect(created.data.created_at).toBeGreaterThan(Date.now() - 60_000); // milliseconds

    const listed = await client.listAllFunctions(ref);
    expect(listed.data.map((f) => [f.slug, f.version])).toEqual([['hello', 1]]);
    expect((await client.listAllFunctions(otherRef)).data).toEqual([]);

    const body = await client.getAFunctionBody(ref, 'hello');
    const type = body.headers.get('content-type')!;
    expect(type).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(body.data as unknown as string, {
      headers: { 'Content-Type': type },
    }).formData();
    expect(JSON.parse(form.get('metadata') as string)).toMatchObject({
      entrypoint_path: 'index.ts',
      version: 1,
    });
    const file = form.get('file') as File;
    expect([file.name, await file.text()]).toEqual(['index.ts', source]);

    const updated = await client.updateAFunction(ref, 'hello', {
      name: 'Hello again',
      verify_jwt: false,
      body: 'Deno.serve(() => new Response("two"))\n',
    });
    expect(updated.data).toMatchObject({ name: 'Hello again', version: 2, verify_jwt: false });
    expect((await client.getAFunction(ref, 'hello')).data).toMatchObject({ version: 2 });

    const deleted = await client.deleteAFunction(ref, 'hello');
    expect(deleted.status).toBe(200);
    const err = await client.getAFunction(ref, 'hello').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SupabaseManagementAPIError);
    expect((err as SupabaseManagementAPIError).status).toBe(404);
  });

  it('refuses a second create of one slug (409) and the eszip body (400), with a message', async () => {
    await client.createAFunction(ref, { slug: 'twice', name: 'twice', body: 'x' });
    const again = await client
      .createAFunction(ref, { slug: 'twice', name: 'twice', body: 'x' })
      .catch((e: SupabaseManagementAPIError) => e);
    expect(again).toMatchObject({ status: 409 });
    const eszip = await fetch(`${base}/v1/projects/${ref}/functions?slug=legacy`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/vnd.denoland.eszip',
      },
      body: Buffer.from('EZBR...'),
    });
    expect(eszip.status).toBe(400);
    expect(((await eszip.json()) as { message: string }).message).toMatch(
      /eszip.*functions\/deploy/,
    );
  });
});

describe('POST /v1/projects/{ref}/functions/deploy as the Supabase CLI sends it', () => {
  const files = [
    { path: 'supabase/functions/shout/deno.json', content: '{"imports":{}}\n' },
    { path: 'supabase/functions/shout/page.html', content: '<p>hi</p>' },
    { path: 'supabase/functions/shout/index.ts', content: 'Deno.serve(() => new Response("v1"))' },
  ];
  const metadata = {
    entrypoint_path: 'supabase/functions/shout/index.ts',
    import_map_path: 'supabase/functions/shout/deno.json',
    name: 'shout',
    static_patterns: ['supabase/functions/shout/*.html'],
    verify_jwt: true,
  };

  it('stores each deploy as the next version, with the paths, import map and static patterns', async () => {
    const first = await deploy(ref, cliDeployForm(metadata, files), '?slug=shout');
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      slug: 'shout',
      name: 'shout',
      version: 1,
      status: 'ACTIVE',
      verify_jwt: true,
      import_map: true,
      entrypoint_path: 'supabase/functions/shout/index.ts',
      import_map_path: 'supabase/functions/shout/deno.json',
    });
    const second = await deploy(
      ref,
      cliDeployForm({ ...metadata, verify_jwt: false }, files),
      '?slug=shout',
    );
    expect(await second.json()).toMatchObject({ version: 2, verify_jwt: false });

    // What the stack is told to serve, through its own token.
    const stack = await stackDelivery(ref);
    expect(stack.url).toBe(`https://supaplane.test/functions-delivery/v1/projects/${ref}`);
    const path = new URL(stack.url).pathname;
    const current = await h.call('GET', `${path}/functions/shout`, { token: stack.token });
    expect(current.body).toMatchObject({
      version: 2,
      verify_jwt: false,
      static_patterns: ['supabase/functions/shout/*.html'],
    });
    const bundle = await h.app.request(`${path}/functions/shout/versions/2`, {
      headers: { Authorization: `Bearer ${stack.token}` },
    });
    const text = await bundle.text();
    const digest = (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
    expect(digest).toBe((current.body as { sha256: string }).sha256);
    const names = (JSON.parse(text) as { files: { name: string }[] }).files.map((f) => f.name);
    expect(names.sort()).toEqual(files.map((f) => f.path).sort());
  });

  it('a bundle-only deploy is served only after the bulk update, as the CLI deploys several', async () => {
    const staged = await deploy(
      ref,
      cliDeployForm({ ...metadata, name: 'multi' }, files),
      '?slug=multi&bundleOnly=true',
    );
    const view = (await staged.json()) as { id: string; version: number; name: string };
    expect(view.version).toBe(1);
    const stack = await stackDelivery(ref);
    const path = new URL(stack.url).pathname;
    expect((await h.call('GET', `${path}/functions/multi`, { token: stack.token })).status).toBe(
      404,
    );
    const bulk = await client.bulkUpdateFunctions(ref, [
      { id: view.id, slug: 'multi', name: 'multi', status: 'ACTIVE', version: view.version },
    ]);
    expect(bulk.data.functions).toMatchObject([{ slug: 'multi', version: 1 }]);
    expect(
      (await h.call('GET', `${path}/functions/multi`, { token: stack.token })).body,
    ).toMatchObject({ version: 1 });
  });

  it('answers bad deploys with a 4xx and a message, and keeps serving the previous version', async () => {
    const cases: [string, ReturnType<typeof cliDeployForm>, string][] = [
      [
        'no entrypoint file',
        cliDeployForm({ ...metadata, entrypoint_path: 'gone.ts' }, files),
        'is not one of the files',
      ],
      [
        'path escape',
        cliDeployForm(metadata, [...files, { path: '/etc/passwd', content: 'x' }]),
        'relative path',
      ],
      [
        'too many files',
        cliDeployForm(metadata, [
          ...files,
          ...Array.from({ length: 1000 }, (_, i) => ({ path: `f${i}.ts`, content: '' })),
        ]),
        'at most 1000 files',
      ],
      [
        'bad slug',
        cliDeployForm({ ...metadata, name: '9lives' }, files),
        'must start with a letter',
      ],
      [
        'no metadata',
        {
          body: Buffer.from(
            '--b\r\nContent-Disposition: form-data; name="file"; filename="index.ts"\r\n\r\nx\r\n--b--\r\n',
          ),
          contentType: 'multipart/form-data; boundary=b',
        },
        'metadata',
      ],
    ];
    for (const [what, form, message] of cases) {
      const res = await deploy(ref, form, what === 'bad slug' ? '' : '?slug=shout');
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { message: string }).message, what).toContain(message);
    }
    const big = await deploy(
      ref,
      cliDeployForm(metadata, [
        ...files,
        { path: 'big.bin', content: Buffer.alloc(21 * 1024 * 1024) },
      ]),
      '?slug=shout',
    );
    expect(big.status).toBe(413);
    expect((await client.getAFunction(ref, 'shout')).data.version).toBe(2);
  });

  it("Studio's editor redeploys a CLI function with paths relative to its entrypoint", async () => {
    // What the code page sends back (apps/studio/pages/project/[ref]/functions/[functionSlug]/code.tsx
    // @97843c36: basename entrypoint, names from formatFunctionBodyToFiles), serialized as
    // edge-functions-deploy-mutation.ts@057717e9 does: metadata JSON, text/plain blobs.
    const form = new FormData();
    form.append(
      'metadata',
      JSON.stringify({ name: 'studio', verify_jwt: true, entrypoint_path: 'index.ts' }),
    );
    const sent = {
      'index.ts': "import { x } from '../_shared/x.ts'\nDeno.serve(() => new Response(x))",
      '../_shared/x.ts': "export const x = 'shared'",
    };
    for (const [name, content] of Object.entries(sent)) {
      form.append('file', new Blob([content], { type: 'text/plain' }), name);
    }
    const res = await fetch(`${base}/v1/projects/${ref}/functions/deploy?slug=studio`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      slug: 'studio',
      version: 1,
      entrypoint_path: 'studio/index.ts',
    });
    const body = await fetch(`${base}/v1/projects/${ref}/functions/studio/body`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'multipart/form-data' },
    });
    const parts = await body.formData();
    const names = await Promise.all(
      parts.getAll('file').map(async (f) => [(f as File).name, await (f as File).text()]),
    );
    // Re-rooted under the slug: the relative import still resolves, nothing is outside.
    expect(Object.fromEntries(names)).toEqual({
      'studio/index.ts': sent['index.ts'],
      '_shared/x.ts': sent['../_shared/x.ts'],
    });
    expect(JSON.parse(parts.get('metadata') as string)).toMatchObject({
      deno2_entrypoint_path: 'studio/index.ts',
    });
  });

  it('a v1 project refuses deploys: functions need template v2', async () => {
    const v1 = await activeProject('Old template');
    await h.db.db.update(projects).set({ templateVersion: 'v1' }).where(eq(projects.ref, v1));
    const res = await deploy(v1, cliDeployForm(metadata, files), '?slug=shout');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/need template v2/);
    expect((await client.listAllFunctions(v1)).data).toEqual([]);
  });
});

describe('function delivery: a project token opens its own project only', () => {
  it("project A's token cannot read B's functions or code, nor A's with B's ref", async () => {
    await client.createAFunction(otherRef, { slug: 'secret-code', name: 'b', body: 'B only' });
    const a = await stackDelivery(ref);
    const b = await stackDelivery(otherRef);
    expect(a.token).not.toBe(b.token);
    const bPath = new URL(b.url).pathname;
    for (const path of [
      `${bPath}/functions/secret-code`,
      `${bPath}/functions/secret-code/versions/1`,
    ]) {
      const res = await h.call('GET', path, { token: a.token });
      expect(res.status, path).toBe(401);
      expect(JSON.stringify(res.body)).not.toContain('B only');
    }
    expect((await h.call('GET', `${bPath}/functions/secret-code`, { token: b.token })).status).toBe(
      200,
    );
    // Neither a dashboard session nor an access token opens delivery routes.
    expect((await h.call('GET', `${bPath}/functions/secret-code`, { token })).status).toBe(401);
    expect((await h.call('GET', `${bPath}/functions/secret-code`)).status).toBe(401);
  });

  it("a removed project's code and token are destroyed with it", async () => {
    const doomed = await activeProject('Doomed');
    await client.createAFunction(doomed, { slug: 'bye', name: 'bye', body: 'gone soon' });
    const stack = await stackDelivery(doomed);
    const path = `${new URL(stack.url).pathname}/functions/bye`;
    expect((await h.call('GET', path, { token: stack.token })).status).toBe(200);
    const id = (await h.project(doomed)).id;
    expect((await h.call('DELETE', `/v1/projects/${doomed}`, { token })).status).toBe(200);
    await h.settle(doomed, 'REMOVED');
    expect(
      await h.db.db.select().from(edgeFunctions).where(eq(edgeFunctions.projectId, id)),
    ).toEqual([]);
    expect(
      await h.db.db
        .select()
        .from(functionDeliveryTokens)
        .where(eq(functionDeliveryTokens.projectId, id)),
    ).toEqual([]);
    expect((await h.call('GET', path, { token: stack.token })).status).toBe(401);
  });
});
