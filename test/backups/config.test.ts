import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';

const parse = (env: Record<string, string>) => parseConfig(env as NodeJS.ProcessEnv);
const problems = (env: Record<string, string>) => {
  try {
    parse(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('backup configuration', () => {
  it('defaults to the local folder, 7 daily backups and the ADR 0003 route', () => {
    const c = parse({});
    expect(c).toMatchObject({
      SUPAPLANE_BACKUP_STORAGE: 'local',
      SUPAPLANE_BACKUP_RETENTION_DAILY: 7,
      SUPAPLANE_BACKUP_SCHEDULE: true,
      SUPAPLANE_PG_BIN_DIR: '/usr/lib/postgresql/{major}/bin',
    });
    expect(c.SUPAPLANE_PROJECT_DATABASE_URL).toBeUndefined();
  });

  it('fails fast naming the field', () => {
    expect(problems({ SUPAPLANE_BACKUP_STORAGE: 's3' })).toEqual([
      'SUPAPLANE_BACKUP_S3_BUCKET: is required when SUPAPLANE_BACKUP_STORAGE=s3',
    ]);
    expect(problems({ SUPAPLANE_BACKUP_STORAGE: 'ftp' })[0]).toMatch(/^SUPAPLANE_BACKUP_STORAGE: /);
    expect(
      problems({ SUPAPLANE_PROJECT_DATABASE_URL: 'postgresql://db.example.com/postgres' })[0],
    ).toMatch(
      /^SUPAPLANE_PROJECT_DATABASE_URL: must be a postgresql:\/\/ URL template containing \{ref\}/,
    );
    expect(problems({ SUPAPLANE_BACKUP_RETENTION_DAILY: '0' })[0]).toMatch(
      /^SUPAPLANE_BACKUP_RETENTION_DAILY: /,
    );
    expect(problems({ SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID: 'a' })).toEqual([
      'SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY: SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID and SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY must be set together',
    ]);
  });

  it('reads the S3 secrets from NAME_FILE too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backup-config-'));
    writeFileSync(path.join(dir, 'key'), 'AKIA-from-file\n');
    writeFileSync(path.join(dir, 'secret'), 'secret-from-file\n');
    const c = parse({
      SUPAPLANE_BACKUP_STORAGE: 's3',
      SUPAPLANE_BACKUP_S3_BUCKET: 'b',
      SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID_FILE: path.join(dir, 'key'),
      SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY_FILE: path.join(dir, 'secret'),
      SUPAPLANE_BACKUP_S3_PREFIX: 'team-a',
    });
    expect(c.SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID).toBe('AKIA-from-file');
    expect(c.SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY).toBe('secret-from-file');
    expect(c.SUPAPLANE_BACKUP_S3_PREFIX).toBe('team-a/');
  });
});
