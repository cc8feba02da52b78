import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderForTest } from '../support/render-compose.js';

/**
 * Studio's platform CSP is computed from build-time env by apps/studio/csp.ts
 * (`NIMBUS_PROD_PROJECTS_URL = process.env.NIMBUS_PROD_PROJECTS_URL || ''`, appended
 * with its _WS twin to DEFAULT_SRC_URLS and IMG_SRC_URLS; csp.ts@07f75d3a) and baked
 * into the headers by next.config.ts `headers()` (next.config.ts@02231d52). This reads
 * the values our build arguments give it, through the Dockerfile's ARG → ENV, and checks
 * the browser would allow a project's storage, image and realtime URLs.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');

/** The builder stage's env as `next build` sees it, from the build args given. */
function builderEnv(dockerfile: string, args: Record<string, string>): Record<string, string> {
  const stage = dockerfile.slice(dockerfile.indexOf('AS builder'));
  const argValues: Record<string, string> = {};
  for (const m of stage.matchAll(/^ARG (\w+)=(.*)$/gm)) argValues[m[1]!] = args[m[1]!] ?? m[2]!;
  const envBlock = /^ENV ([\s\S]*?)\nRUN /m.exec(stage)![1]!.replace(/\\\n\s*/g, ' ');
  const env: Record<string, string> = {};
  for (const m of envBlock.matchAll(/(\w+)=(\S+)/g)) {
    env[m[1]!] = m[2]!.replace(/\$\{(\w+)\}/g, (_, n: string) => argValues[n] ?? '');
  }
  return env;
}

/** What csp.ts adds to default-src and img-src from those two variables. */
function projectSources(env: Record<string, string>): string[] {
  const https = env.NIMBUS_PROD_PROJECTS_URL || '';
  return https ? [https, env.NIMBUS_PROD_PROJECTS_URL_WS ?? ''] : [];
}

/** CSP host-source matching (CSP3 §6.7.2.8) for `scheme://*.host` and `scheme://host`. */
function allows(sources: string[], url: string): boolean {
  const u = new URL(url);
  return sources.some((s) => {
    const m = /^(\w+):\/\/(\*\.)?([^/:]+)$/.exec(s);
    if (!m || `${m[1]}:` !== u.protocol) return false;
    return m[2] ? u.hostname.endsWith(`.${m[3]}`) : u.hostname === m[3];
  });
}

const DOMAIN = 'projects.example.test';
const REF = 'abcdefghijklmnopqrst';
const deployEnv = {
  SUPAPLANE_PROJECT_DOMAIN: DOMAIN,
  SUPAPLANE_PUBLIC_URL: 'https://supaplane.example.test',
  STUDIO_URL: 'https://studio.example.test',
  SERVICE_URL_SUPAPLANE: 'https://supaplane.example.test',
  SERVICE_URL_STUDIO: 'https://studio.example.test',
};

describe('Studio CSP allows the project domain', () => {
  const dockerfile = read('docker/studio/Dockerfile');
  it.each(['docker-compose.yml', 'coolify-templates/supaplane.yaml'])('%s', (file) => {
    const compose = parse(read(file)) as {
      services: { studio: { build: { args: Record<string, string> } } };
    };
    const raw = compose.services.studio.build.args;
    const args = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, renderForTest(v, deployEnv)]),
    );
    const env = builderEnv(dockerfile, args);
    expect(env.NIMBUS_PROD_PROJECTS_URL).toBe(`https://*.${DOMAIN}`);
    expect(env.NIMBUS_PROD_PROJECTS_URL_WS).toBe(`wss://*.${DOMAIN}`);
    const sources = projectSources(env);
    // TUS upload, folder placeholder, signed-URL preview, realtime.
    expect(allows(sources, `https://${REF}.${DOMAIN}/storage/v1/upload/resumable`)).toBe(true);
    expect(allows(sources, `https://${REF}.${DOMAIN}/storage/v1/object/sign/b/x.png`)).toBe(true);
    expect(allows(sources, `wss://${REF}.${DOMAIN}/realtime/v1/websocket`)).toBe(true);
    // Only the project domain: neither its parent nor plain http.
    expect(allows(sources, `https://example.test/`)).toBe(false);
    expect(allows(sources, `http://${REF}.${DOMAIN}/`)).toBe(false);
  });

  it('without the build arguments the CSP has no project hosts (what the audit found)', () => {
    expect(projectSources(builderEnv(dockerfile, {}))).toEqual([]);
  });
});
