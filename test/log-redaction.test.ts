import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestObserver } from '../src/observability/http-log.js';
import { loadProjectSecrets } from '../src/secrets/store.js';
import { createInvitations } from '../src/members/invitations.js';
import { createProject } from '../src/projects/projects.js';
import { startApiHarness, type ApiHarness, type SignedInUser } from './support/api.js';
import { TEST_KEY } from './support/harness.js';
import { describeError } from '../src/log.js';
import { capturedLogger } from './support/log-capture.js';

/**
 * Every log line Supaplane writes while it creates a project (with a retried
 * Coolify failure) and answers HTTP calls that carry keys in headers, queries
 * and bodies: none may contain a secret.
 */
describe('logs never contain a secret', () => {
  let h: ApiHarness;
  let user: SignedInUser;
  let ref: string;

  beforeAll(async () => {
    h = await startApiHarness();
    user = await h.signIn('owner');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('across a create and HTTP calls, at debug level', async () => {
    // A failed env upload logs a retry with Coolify's error text.
    h.sim.inject({ method: 'PATCH', path: '/services/{uuid}/envs/bulk', kind: '500', times: 1 });
    const project = await createProject(h.deps, {
      actor: { id: user.user.id },
      input: { organizationId: h.org.id, name: 'Secretive' },
    });
    ref = project.ref;
    await h.settle(ref, 'ACTIVE_HEALTHY');
    const secrets = (await loadProjectSecrets(h.db.db, h.deps.keyring, project.id))!;
    expect(secrets.SUPABASE_SERVICE_KEY).toBeTruthy();

    const anon = secrets.SUPABASE_ANON_KEY;
    const service = secrets.SUPABASE_SERVICE_KEY;
    const calls: [string, string, Parameters<ApiHarness['call']>[2]][] = [
      ['GET', `/platform/projects/${ref}/settings`, { as: user }],
      ['GET', `/v1/projects/${ref}/api-keys?reveal=true`, { as: user }],
      ['GET', `/platform/projects/${ref}?apikey=${service}`, { as: user }],
      [
        'GET',
        `/no/such/route?token=${service}`,
        { headers: { apikey: anon, Cookie: `s=${service}` } },
      ],
      [
        'POST',
        '/auth/v1/token?grant_type=password',
        {
          body: { email: user.user.email, password: 'correct horse battery' },
        },
      ],
      [
        'POST',
        `/platform/pg-meta/${ref}/query`,
        {
          as: user,
          headers: { 'x-connection-encrypted': service },
          body: { query: `select '${secrets.JWT_SECRET}'` },
        },
      ],
      ['GET', '/metrics', {}],
      ['GET', '/ready', { token: service }],
    ];
    for (const [method, path, options] of calls) await h.call(method, path, options);

    const forbidden = new Map<string, string>(
      Object.entries(secrets).filter(([name]) => name !== 'DASHBOARD_USERNAME'),
    );
    forbidden.set('COOLIFY_TOKEN', h.sim.token);
    forbidden.set('SUPAPLANE_ENCRYPTION_KEY', TEST_KEY);
    forbidden.set('dashboard access token', user.token);
    forbidden.set('user password', 'correct horse battery');

    // The logs were really written: request lines, job lines, the retry.
    const lines = h.logLines;
    expect(lines.some((l) => l.includes('"route":"/ready"') && l.includes('"status":'))).toBe(true);
    expect(lines.some((l) => l.includes('"route":"unmatched"'))).toBe(true);
    expect(lines.some((l) => /job will retry/.test(l))).toBe(true);

    const leaks = lines.flatMap((l, i) =>
      [...forbidden].filter(([, value]) => l.includes(value)).map(([name]) => `line ${i}: ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  it('keeps join tokens out of request logs, and refuses unstorable text with a 400 (audit 18.5)', async () => {
    const [created] = await createInvitations(h.deps, {
      actor: { userId: user.user.id, email: user.user.email, via: 'session' },
      input: { slug: h.org.slug, emails: ['log-invitee@example.com'], role: 'developer' },
    });
    const join = `/platform/organizations/${h.org.slug}/members/invitations/${created!.token}`;
    expect((await h.call('GET', join, { as: user })).status).toBe(200);
    await h.call('POST', join, { as: user });

    const nul = 'nul\u0000@example.com';
    const surrogates = '\ud800\udfff\ud800';
    const unstorable: [string, string, Parameters<ApiHarness['call']>[2]][] = [
      ['POST', '/auth/v1/token?grant_type=password', { body: { email: nul, password: 'x' } }],
      ['POST', '/platform/signup', { body: { email: nul, password: 'Spam-Pass-12345' } }],
      ['POST', '/platform/reset-password', { body: { email: nul } }],
      ['POST', '/platform/organizations', { as: user, body: { name: 'nul\u0000org' } }],
      ['POST', '/platform/organizations', { as: user, body: { name: surrogates } }],
      ['PUT', '/auth/v1/user', { as: user, body: { email: nul, password: 'DevPass-NEW-99999' } }],
    ];
    for (const [method, path, options] of unstorable) {
      const res = await h.call(method, path, options);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((res.body as { message: string }).message, path).toMatch(
        /NUL characters|valid Unicode/,
      );
    }
    expect(h.logLines.filter((l) => l.includes(created!.token))).toEqual([]);
    expect(h.logLines.some((l) => l.includes('/members/invitations/[redacted]'))).toBe(true);
    expect(h.logLines.filter((l) => /params:|scrypt\$/.test(l))).toEqual([]);
  });

  it('logs a failed query without its parameters', async () => {
    const secret = `hash-${'s'.repeat(20)}`;
    const err = await h.db.db.execute(sql`select ${secret}::int`).catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain(secret); // drizzle's own message has it
    const fields = describeError(err);
    expect(JSON.stringify(fields)).not.toContain(secret);
    expect(fields).toMatchObject({ err: expect.stringMatching(/^Failed query: select \$1::int/) });
    expect(fields.code).toBe('22P02');
  });
});

// The request line skips pino's redaction (src/log.ts requestLineLogger), which
// cost ~95 µs a line. That is only safe while redaction could not change it.
describe('request lines', () => {
  it('are exactly what the redacting logger would write: none of their keys is redacted', () => {
    const { log, lines } = capturedLogger('info');
    requestObserver(log)({
      requestId: 'token',
      method: 'GET',
      route: '/v1/projects/:ref/api-keys',
      path: '/v1/projects/abcdefghijklmnopqrst/api-keys',
      status: 200,
      ms: 1.234,
    });
    const written = JSON.parse(lines[0]!) as Record<string, unknown>;
    const { level: _level, time: _time, service: _service, msg, ...fields } = written;
    log.info(fields, msg as string);
    const redacted = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect({ ...redacted, time: 0 }).toEqual({ ...written, time: 0 });
    expect(written).toMatchObject({ req: { id: 'token', method: 'GET' }, res: { status: 200 } });
  });
});
