import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, provisioningGaps } from '../src/config/config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('config', () => {
  it('defaults to port 8080 and the embedded database', () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.SUPAPLANE_DATA_DIR).toBe('./.supaplane');
  });

  it('names the field that is wrong', () => {
    expect(() => parseConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => parseConfig({ SUPAPLANE_ENCRYPTION_KEY: 'short' })).toThrow(
      /SUPAPLANE_ENCRYPTION_KEY/,
    );
    expect(() => parseConfig({ SUPAPLANE_GATEWAY_URL: 'http://x/no-placeholder' })).toThrow(
      /SUPAPLANE_GATEWAY_URL/,
    );
  });

  it('parses trusted proxies as IPs and CIDRs (none by default) and names a bad entry', () => {
    expect(parseConfig({}).SUPAPLANE_TRUSTED_PROXIES).toEqual([]);
    expect(
      parseConfig({ SUPAPLANE_TRUSTED_PROXIES: '10.0.0.1, 172.16.0.0/12,fd00::/8' })
        .SUPAPLANE_TRUSTED_PROXIES,
    ).toEqual(['10.0.0.1', '172.16.0.0/12', 'fd00::/8']);
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129']) {
      expect(() => parseConfig({ SUPAPLANE_TRUSTED_PROXIES: bad }), bad).toThrow(
        /SUPAPLANE_TRUSTED_PROXIES/,
      );
    }
  });

  it('requires an encryption key with an external database', () => {
    expect(() => parseConfig({ DATABASE_URL: 'postgres://u:p@h/db' })).toThrow(ConfigError);
    expect(
      parseConfig({ DATABASE_URL: 'postgres://u:p@h/db', SUPAPLANE_ENCRYPTION_KEY: KEY })
        .DATABASE_URL,
    ).toContain('postgres://');
  });

  it('reads secrets from NAME_FILE', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, 'file-token\n');
    const c = parseConfig({ COOLIFY_URL: 'http://coolify.test', COOLIFY_TOKEN_FILE: file });
    expect(c.COOLIFY_TOKEN).toBe('file-token');
    // Compose passes unset variables through as empty strings; the file must still win.
    expect(
      parseConfig({ COOLIFY_URL: 'http://c.test', COOLIFY_TOKEN: '', COOLIFY_TOKEN_FILE: file })
        .COOLIFY_TOKEN,
    ).toBe('file-token');
    expect(() => parseConfig({ COOLIFY_TOKEN_FILE: path.join(dir, 'missing') })).toThrow(
      /COOLIFY_TOKEN_FILE/,
    );
  });

  it('reads the request limits, refusing a header timeout longer than the request timeout', () => {
    const c = parseConfig({ SUPAPLANE_BODY_LIMIT_BYTES: '131072', SUPAPLANE_JSON_MAX_DEPTH: '32' });
    expect(c.SUPAPLANE_BODY_LIMIT_BYTES).toBe(131072);
    expect(c.SUPAPLANE_JSON_MAX_DEPTH).toBe(32);
    expect(c.SUPAPLANE_STORAGE_BODY_LIMIT_BYTES).toBe(8 * 1024 * 1024);
    expect(() => parseConfig({ SUPAPLANE_BODY_LIMIT_BYTES: '10' })).toThrow(
      /SUPAPLANE_BODY_LIMIT_BYTES/,
    );
    expect(() =>
      parseConfig({ SUPAPLANE_HEADERS_TIMEOUT_MS: '90000', SUPAPLANE_REQUEST_TIMEOUT_MS: '60000' }),
    ).toThrow(/SUPAPLANE_HEADERS_TIMEOUT_MS: must not be longer/);
  });

  it('says what is missing before projects can be provisioned', () => {
    expect(provisioningGaps(parseConfig({}))).toMatch(
      /COOLIFY_URL, COOLIFY_TOKEN, COOLIFY_SERVER_UUIDS, SUPAPLANE_PROJECT_DOMAIN/,
    );
    const full = parseConfig({
      COOLIFY_URL: 'http://c.test',
      COOLIFY_TOKEN: 't',
      COOLIFY_SERVER_UUIDS: 'a, b',
      SUPAPLANE_PROJECT_DOMAIN: 'supa.example.com',
    });
    expect(full.COOLIFY_SERVER_UUIDS).toEqual(['a', 'b']);
    expect(provisioningGaps(full)).toBeUndefined();
  });
});
