import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Keyring } from '../../src/crypto/envelope.js';
import type { Db } from '../../src/db/client.js';
import { projects } from '../../src/db/schema/index.js';
import type { ProjectSecrets } from '../../src/secrets/generate.js';
import { loadProjectSecrets } from '../../src/secrets/store.js';

/** One request as the gateway received it. */
export interface GatewayRequest {
  ref: string;
  method: string;
  /** Path below `/{ref}`, e.g. `/pg/query`. */
  path: string;
  search: string;
  apikey: string | null;
  authorization: string | null;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** What the gateway answered. */
  status: number;
}

export interface TestGatewayTargets {
  db: Db;
  keyring: Keyring;
  /** The real postgres-meta, e.g. http://127.0.0.1:1234 */
  pgMetaUrl: string;
  /** Where every other path goes (the Coolify simulator's gateway, `…/{ref}`), so that
   * the reconciler's probes see whether the stack runs. */
  fallbackTemplate: string;
}

export interface TestGateway {
  /** For SUPAPLANE_GATEWAY_URL: `http://127.0.0.1:<port>/{ref}`. */
  template: string;
  requests: GatewayRequest[];
  /** Known once the harness is up (the gateway must exist before the config is parsed). */
  attach(targets: TestGatewayTargets): void;
  /** Drops every connection for `ref` without answering, as a dead gateway would. */
  refuse(ref: string, on?: boolean): void;
  close(): Promise<void>;
}

/**
 * A small stand-in for a project's Kong on 127.0.0.1, serving `/{ref}/…`:
 * - `/pg/*` → the real postgres-meta, only for the project's service_role key (Kong's
 *   key-auth + ACL "admin"): no key 401, a wrong one 401, the anon key 403;
 * - `/auth/v1/admin/*`, `/auth/v1/{invite,magiclink,otp,recover}` → a fake GoTrue
 *   that checks the service key and echoes what it got;
 * - `/storage/v1/*` → a fake storage-api, likewise;
 * - anything else → the simulator's gateway (health probes, `/rest/v1/`).
 */
export async function startTestGateway(): Promise<TestGateway> {
  let targets: TestGatewayTargets | undefined;
  const refused = new Set<string>();
  const requests: GatewayRequest[] = [];

  const secretsOf = async (ref: string): Promise<ProjectSecrets | undefined> => {
    const [p] = await targets!.db.select().from(projects).where(eq(projects.ref, ref));
    return p ? loadProjectSecrets(targets!.db, targets!.keyring, p.id) : undefined;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, { message: `test gateway: ${err.message}` });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const [, ref = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    if (refused.has(ref)) {
      req.socket.destroy();
      return;
    }
    const body = await readAll(req);
    const record: GatewayRequest = {
      ref,
      method: req.method ?? 'GET',
      path,
      search: url.search,
      apikey: header(req, 'apikey'),
      authorization: header(req, 'authorization'),
      headers: { ...req.headers },
      body: body.toString('utf8'),
      status: 0,
    };
    requests.push(record);
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      send(res, status, data, headers);
    };

    if (!targets) return reply(503, { message: 'test gateway not attached' });
    if (path.startsWith('/pg/')) {
      const secrets = await secretsOf(ref);
      const denied = keyAuth(record, secrets, 'admin');
      if (denied) return reply(denied.status, { message: denied.message });
      const upstream = await fetch(`${targets.pgMetaUrl}${path.slice(3)}${url.search}`, {
        method: record.method,
        headers: pick(req, ['content-type', 'accept', 'x-pg-application-name']),
        body: body.length ? body : undefined,
      });
      record.status = upstream.status;
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      if (upstream.body) Readable.fromWeb(upstream.body as never).pipe(res);
      else res.end();
      return;
    }
    if (isFakeGoTrue(path) || path.startsWith('/storage/v1/')) {
      const secrets = await secretsOf(ref);
      // Kong: key-auth on /auth/v1/ (anon or service_role), none on /storage/v1/.
      const denied = path.startsWith('/auth/') ? keyAuth(record, secrets, 'anon') : undefined;
      if (denied) return reply(denied.status, { message: denied.message });
      // GoTrue's admin API and storage-api check the JWT itself: it must be service_role's.
      if (!secrets || record.authorization !== `Bearer ${secrets.SUPABASE_SERVICE_KEY}`) {
        return reply(401, { message: 'Invalid JWT' });
      }
      const [status, data, headers] = fakeAnswer(record);
      return reply(status, data, headers);
    }
    const fallback = targets.fallbackTemplate.replace('{ref}', ref) + path + url.search;
    const upstream = await fetch(fallback, {
      method: record.method,
      headers: pick(req, ['apikey', 'authorization', 'accept']),
    });
    record.status = upstream.status;
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'text/plain',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    template: `http://127.0.0.1:${port}/{ref}`,
    requests,
    attach: (t) => {
      targets = t;
    },
    refuse: (ref, on = true) => void (on ? refused.add(ref) : refused.delete(ref)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Kong key-auth (`apikey`, either of the role's keys) then the ACL group. */
function keyAuth(
  req: GatewayRequest,
  secrets: ProjectSecrets | undefined,
  group: 'admin' | 'anon',
): { status: number; message: string } | undefined {
  if (!req.apikey) return { status: 401, message: 'No API key found in request' };
  const admin = [secrets?.SUPABASE_SERVICE_KEY, secrets?.SUPABASE_SECRET_KEY];
  const anon = [secrets?.SUPABASE_ANON_KEY, secrets?.SUPABASE_PUBLISHABLE_KEY];
  if (admin.includes(req.apikey)) return undefined;
  if (anon.includes(req.apikey)) {
    return group === 'anon'
      ? undefined
      : { status: 403, message: 'You cannot consume this service' };
  }
  return { status: 401, message: 'Invalid authentication credentials' };
}

const isFakeGoTrue = (path: string) =>
  path.startsWith('/auth/v1/admin/') || /^\/auth\/v1\/(invite|magiclink|otp|recover)$/.test(path);

/** Fixed answers where the proxy reshapes them; an echo of the request otherwise. */
function fakeAnswer(r: GatewayRequest): [number, unknown, Record<string, string>?] {
  const echo = { method: r.method, path: r.path, search: r.search, body: parse(r.body) };
  if (r.method === 'GET' && r.path === '/auth/v1/admin/users') {
    return [
      200,
      { aud: 'authenticated', users: [{ id: 'u1', email: 'a@example.com' }] },
      { 'x-total-count': '41' },
    ];
  }
  const factors = /^\/auth\/v1\/admin\/users\/([^/]+)\/factors(\/[^/]+)?$/.exec(r.path);
  if (factors && r.method === 'GET') return [200, [{ id: 'f1' }, { id: 'f2' }]];
  if (factors && r.method === 'DELETE') return [200, {}];
  if (r.method === 'GET' && r.path === '/storage/v1/bucket') {
    const now = '2024-01-01T00:00:00.000Z';
    const bucket = {
      id: 'avatars',
      name: 'avatars',
      owner: '',
      public: false,
      created_at: now,
      updated_at: now,
      file_size_limit: null,
      allowed_mime_types: null,
    };
    return [200, [bucket]];
  }
  if (r.method === 'GET' && r.path === '/storage/v1/bucket/missing') {
    return [400, { statusCode: '404', error: 'Bucket not found', message: 'Bucket not found' }];
  }
  const sign = /^\/storage\/v1\/object\/sign\/([^/]+)(\/.+)?$/.exec(r.path);
  if (sign && r.method === 'POST') {
    if (sign[2]) return [200, { signedURL: `/object/sign/${sign[1]}${sign[2]}?token=t0k` }];
    const paths = (parse(r.body) as { paths: string[] }).paths;
    return [
      200,
      paths.map((p) => ({
        error: null,
        path: p,
        signedURL: `/object/sign/${sign[1]}/${p}?token=t`,
      })),
    ];
  }
  if (r.method === 'GET' && r.path.startsWith('/storage/v1/object/')) {
    return [200, `bytes of ${r.path}`, { 'content-type': 'text/plain' }];
  }
  return [200, { echo }];
}

function send(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

const parse = (s: string): unknown => {
  try {
    return s ? JSON.parse(s) : undefined;
  } catch {
    return s;
  }
};

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
};

function pick(req: IncomingMessage, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = header(req, n);
    if (v !== null) out[n] = v;
  }
  return out;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
