import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createApp } from '../../src/app.js';
import { runCli } from '../../src/cli/main.js';
import { parseConfig } from '../../src/config/config.js';
import { renderForTest } from '../support/render-compose.js';
import { startHarness, type Harness } from '../support/harness.js';

const TEMPLATE = path.resolve(import.meta.dirname, '../../coolify-templates/supaplane.yaml');
const OWN_URL = 'https://supaplane.example.com';
const COOLIFY = 'https://coolify.example.com';

/**
 * The environment Coolify's serviceParser gives a container of a compose service: every
 * env row through the injected `env_file: .env` (parsers.php:2743-2753@379abb25), under the
 * compose `environment:` rendered from those rows, with COOLIFY_FQDN and COOLIFY_URL of a
 * container with a domain merged over it (bootstrap/helpers/parsers.php:2586-2590,2735@379abb25).
 */
function containerEnv(name: string, compose: string, rows: Record<string, string>) {
  const doc = parse(renderForTest(compose, rows)) as {
    services: Record<string, { environment: string[] }>;
  };
  const env: Record<string, string> = { ...rows };
  for (const line of doc.services[name]!.environment) {
    const eq = line.indexOf('=');
    env[eq < 0 ? line : line.slice(0, eq)] = eq < 0 ? '' : line.slice(eq + 1);
  }
  if (Object.keys(env).some((k) => /^SERVICE_(URL|FQDN)_/.test(k))) {
    env.COOLIFY_FQDN = new URL(OWN_URL).host;
    env.COOLIFY_URL = OWN_URL;
  }
  return env;
}

describe('D1: Supaplane in Coolify reads the Coolify URL from a name the parser leaves alone', () => {
  it('the supaplane container of coolify-templates/supaplane.yaml calls Coolify, not itself (parsers.php:2586-2590@379abb25)', async () => {
    const compose = await readFile(TEMPLATE, 'utf8');
    // What the operator sets in the resource's Environment Variables, both names as a
    // careful operator would, plus the magic values Coolify generates.
    const rows = {
      SUPAPLANE_COOLIFY_URL: COOLIFY,
      COOLIFY_URL: COOLIFY,
      COOLIFY_TOKEN: 'token',
      COOLIFY_SERVER_UUIDS: 'server1',
      SUPAPLANE_PROJECT_DOMAIN: 'projects.example.com',
      SERVICE_USER_POSTGRES: 'user',
      SERVICE_PASSWORD_POSTGRES: 'pass',
      SERVICE_REALBASE64_32_ENCRYPTION: Buffer.alloc(32, 1).toString('base64'),
      SERVICE_URL_SUPAPLANE: OWN_URL,
      SERVICE_URL_STUDIO: 'https://studio.example.com',
      SUPAPLANE_ADMIN_EMAIL: '',
      SUPAPLANE_ADMIN_PASSWORD: '',
    };
    const env = containerEnv('supaplane', compose, rows);
    expect(env.COOLIFY_URL).toBe(OWN_URL); // what Coolify does to the container
    expect(parseConfig(env).COOLIFY_URL).toBe(COOLIFY);
  });

  it('SUPAPLANE_COOLIFY_URL wins over COOLIFY_URL; COOLIFY_URL alone still works for compose and npm start', () => {
    const base = { COOLIFY_TOKEN: 't' };
    expect(parseConfig({ ...base, COOLIFY_URL: COOLIFY }).COOLIFY_URL).toBe(COOLIFY);
    expect(
      parseConfig({ ...base, COOLIFY_URL: OWN_URL, SUPAPLANE_COOLIFY_URL: COOLIFY }).COOLIFY_URL,
    ).toBe(COOLIFY);
  });
});

describe('D1: supaplane doctor says plainly when the Coolify URL answers as Supaplane', () => {
  let h: Harness | undefined;
  let server: ServerType | undefined;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await h?.close();
  });

  it('✘ "Coolify URL is not Supaplane itself" and exit 1', async () => {
    h = await startHarness({ startRunner: false });
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: createApp(h!.deps).fetch, port: 0, hostname: '127.0.0.1' }, (i) =>
        resolve(i.port),
      );
    });
    let out = '';
    const code = await runCli(['doctor'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => {} },
      env: { ...h.env, COOLIFY_URL: `http://127.0.0.1:${port}` },
      lookup: async () => ['127.0.0.1'],
      pollMs: 40,
    });
    expect(out).toContain(
      `✘ Coolify URL is not Supaplane itself: http://127.0.0.1:${port} answers as Supaplane`,
    );
    expect(out).toContain('SUPAPLANE_COOLIFY_URL');
    expect(code).toBe(1);

    out = '';
    await runCli(['doctor'], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => {} },
      env: h.env,
      lookup: async () => ['127.0.0.1'],
      pollMs: 40,
    });
    expect(out).not.toContain('Supaplane itself');
    expect(out).toContain('✔ Coolify reachable and its API enabled');
  });
});
