import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackup, decryptedDump, restoreBackup } from '../../src/backups/index.js';
import { backupDir } from '../../src/backups/storage.js';
import { moveAside } from '../../src/backups/swap.js';
import { backups } from '../../src/db/schema/index.js';
import { randomAlnum } from '../../src/secrets/generate.js';
import { freshDatabase, type TestDatabase } from '../support/db.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import {
  backupDeps,
  fingerprint,
  KNOWN_ROW_VALUE,
  KNOWN_SCHEMA_MARKER,
  projectOn,
  seedProjectDatabase,
} from './fixture.js';

let pg: Pg15;
let db: TestDatabase;
let s3: S3rver;
let s3Url: string;

beforeAll(async () => {
  pg = await startPg15(randomAlnum(32));
  db = await freshDatabase();
  const s3dir = path.join(backupDeps(db, pg).config.SUPAPLANE_DATA_DIR, 's3rver');
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: 'supaplane', configs: [] }],
  });
  const { port } = (await s3.run()) as { port: number };
  s3Url = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3?.close();
  await db?.drop();
  await pg?.stop();
});

const s3Env = () => ({
  SUPAPLANE_BACKUP_STORAGE: 's3',
  SUPAPLANE_BACKUP_S3_ENDPOINT: s3Url,
  SUPAPLANE_BACKUP_S3_BUCKET: 'supaplane',
  SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID: 'S3RVER',
  SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER',
});

async function dropAndRecreate(ref: string) {
  const root = pg.admin();
  await root.unsafe(`drop database ${ref} with (force)`);
  await root.unsafe(`create database ${ref}`);
  await root.end();
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.each([
  ['the local folder', () => ({})],
  ['an S3-compatible server (s3rver)', s3Env],
])('backup and restore through %s', (_name, env) => {
  it('restores a dropped and recreated database to equal tables, schema and settings', async () => {
    const deps = backupDeps(db, pg, env());
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);
    const before = await fingerprint(pg, project.ref);

    const backup = await createBackup(deps, project, { kind: 'manual', actor: 'test' });
    expect(backup).toMatchObject({
      status: 'COMPLETED',
      templateVersion: 'v2',
      storage: deps.config.SUPAPLANE_BACKUP_STORAGE,
    });
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.sizeBytes).toBeGreaterThan(1000);
    expect(backup.postgresVersion).toMatch(/^15\./);
    expect(backup.durationMs).toBeGreaterThanOrEqual(0);

    // Encrypted at rest: the plaintext archive shows the function body in its TOC, the
    // stored bytes show neither it nor a row value.
    const plain = await collect(await decryptedDump(deps, backup));
    expect(plain.subarray(0, 5).toString()).toBe('PGDMP');
    expect(plain.includes(KNOWN_SCHEMA_MARKER)).toBe(true);
    const stored = await collect(
      await (
        await import('../../src/backups/storage.js')
      )
        .backupStore(deps.config)
        .get(backup.objectKey!),
    );
    expect(stored.length).toBe(backup.sizeBytes);
    expect(stored.includes(KNOWN_SCHEMA_MARKER)).toBe(false);
    expect(stored.includes(KNOWN_ROW_VALUE)).toBe(false);

    await dropAndRecreate(project.ref);
    expect((await fingerprint(pg, project.ref)).sums).toEqual({});
    await restoreBackup(deps, backup, { into: 'same' });
    const after = await fingerprint(pg, project.ref);
    expect(after.sums).toEqual(before.sums);
    expect(after.settings).toBe(before.settings);
    expect(after.schema).toBe(before.schema);
    expect(Object.keys(after.sums)).toContain('auth.users');
  });
});

describe('a damaged backup', () => {
  it('is refused at restore with a clear error, and the database is left as it was', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);
    const backup = await createBackup(deps, project, { kind: 'manual' });
    const file = path.join(backupDir(deps.config), backup.objectKey!);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    writeFileSync(file, bytes);
    const sql = pg.admin(project.ref);
    await sql`insert into public.events (payload) values ('{"after":"backup"}')`;
    await sql.end();
    const before = await fingerprint(pg, project.ref);
    await expect(restoreBackup(deps, backup, { into: 'same' })).rejects.toThrow(
      /backup \d+ is damaged: its stored bytes have sha256 [0-9a-f]{64}, not the [0-9a-f]{64} recorded.*nothing was changed/,
    );
    expect(await fingerprint(pg, project.ref)).toEqual(before);
  });
});

describe('a restore that fails half-way', () => {
  it('keeps the previous data', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);
    const backup = await createBackup(deps, project, { kind: 'manual' });
    // A role the dump needs is gone: pg_restore stops at the first error.
    const root = pg.admin();
    await root.unsafe(`create role doomed nologin`);
    await root.end();
    const sql = pg.admin(project.ref);
    await sql.unsafe(
      `create table public.doomed_owned (x int); alter table public.doomed_owned owner to doomed;`,
    );
    await sql.end();
    const second = await createBackup(deps, project, { kind: 'manual' });
    const admin = pg.admin();
    await admin.unsafe(`reassign owned by doomed to supabase_admin`);
    const own = pg.admin(project.ref);
    await own.unsafe(`reassign owned by doomed to supabase_admin; drop owned by doomed;`);
    await own.end();
    await admin.unsafe(`drop role doomed`);
    await admin.end();
    const before = await fingerprint(pg, project.ref);
    await expect(restoreBackup(deps, second, { into: 'same' })).rejects.toThrow(
      /restore of backup \d+ failed, the previous database was kept: pg_restore failed .*doomed/,
    );
    expect(await fingerprint(pg, project.ref)).toEqual(before);
    // And the first backup still restores.
    await restoreBackup(deps, backup, { into: 'same' });
  });
});

describe('a restore that crashed after moving the database aside', () => {
  it('starts again from the untouched original and completes', async () => {
    const deps = backupDeps(db, pg);
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);
    const before = await fingerprint(pg, project.ref);
    const backup = await createBackup(deps, project, { kind: 'manual' });
    // What a process killed during pg_restore leaves: the original aside, a half-filled
    // database under the live name.
    const admin = pg.admin('template1');
    await moveAside(admin, {
      live: project.ref,
      previous: `${project.ref}_pre_restore_${backup.id}`,
    });
    await admin.end();
    const half = pg.admin(project.ref);
    await half.unsafe('create table public.half_restored (x int)');
    await half.end();
    await restoreBackup(deps, backup, { into: 'same' });
    expect(await fingerprint(pg, project.ref)).toEqual(before);
    const root = pg.admin();
    const left =
      await root`select datname from pg_database where datname like ${`${project.ref}%`}`;
    await root.end();
    expect(left.map((r) => r.datname)).toEqual([project.ref]);
  });
});

describe('retention', () => {
  it('keeps exactly the configured number of each kind and removes the older objects', async () => {
    const deps = backupDeps(db, pg, { SUPAPLANE_BACKUP_RETENTION_MANUAL: '2' });
    const project = await projectOn(deps, pg);
    await seedProjectDatabase(pg, project.ref);
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await createBackup(deps, project, { kind: 'manual' }));
    const pre = await createBackup(deps, project, { kind: 'pre_upgrade' });
    const rows = await db.db.select().from(backups).where(eq(backups.projectId, project.id));
    const status = (id: number) => rows.find((r) => r.id === id)!.status;
    expect(taken.map((b) => status(b.id))).toEqual([
      'REMOVED',
      'REMOVED',
      'COMPLETED',
      'COMPLETED',
    ]);
    expect(status(pre.id)).toBe('COMPLETED');
    const files = readdirSync(path.join(backupDir(deps.config), project.ref));
    expect(files.sort()).toEqual(
      [taken[2]!, taken[3]!, pre].map((b) => path.basename(b.objectKey!)).sort(),
    );
    expect(statSync(path.join(backupDir(deps.config), taken[3]!.objectKey!)).size).toBe(
      taken[3]!.sizeBytes,
    );
  });
});
