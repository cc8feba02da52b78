import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDir } from '../../src/backups/storage.js';
import { createProjectBackup, restoreProjectBackup } from '../../src/backups/verbs.js';
import { auditLog, backups, jobs, type Backup } from '../../src/db/schema/index.js';
import { randomAlnum } from '../../src/secrets/generate.js';
import { loadProjectSecrets, saveProjectSecrets } from '../../src/secrets/store.js';
import { createProject } from '../../src/projects/projects.js';
import { startApiHarness, type ApiHarness } from '../support/api.js';
import type { SignedInUser } from '../support/api.js';
import { startPg15, type Pg15 } from '../support/pg15.js';
import { fingerprint, seedProjectDatabase } from './fixture.js';

let pg: Pg15;
let h: ApiHarness;
let owner: SignedInUser;
let readOnly: SignedInUser;
let ref: string;

const principalOf = (u: SignedInUser) => ({
  userId: u.user.id,
  email: u.user.email,
  via: 'session' as const,
});

async function backupDone(id: number): Promise<Backup> {
  for (let i = 0; i < 300; i++) {
    const [row] = await h.db.db.select().from(backups).where(eq(backups.id, id));
    if (row && row.status !== 'PENDING') return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backup ${id} still pending`);
}

beforeAll(async () => {
  pg = await startPg15(randomAlnum(32));
  h = await startApiHarness({
    env: {
      SUPAPLANE_PROJECT_DATABASE_URL: `postgresql://supabase_admin@127.0.0.1:${pg.port}/{ref}`,
      SUPAPLANE_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'supaplane-routes-')),
    },
  });
  owner = await h.signIn('owner');
  readOnly = await h.signIn('read_only');
  const project = await createProject(h.deps, {
    actor: { id: 'test' },
    input: { organizationId: h.org.id, name: 'Backed up' },
  });
  ref = project.ref;
  await h.settle(ref, 'ACTIVE_HEALTHY');
  // The stack's database server holds the password Supaplane stored (as v2's roles.sql sets it).
  const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, project.id))!;
  await saveProjectSecrets(h.deps.db, h.deps.keyring, project.id, {
    ...secrets,
    SUPABASE_ADMIN_PASSWORD: pg.adminPassword,
  });
  await seedProjectDatabase(pg, ref);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await pg?.stop();
});

describe("Studio's Database → Backups routes and /v1", () => {
  it('list, download and restore a backup, the project RESTORING then healthy again', async () => {
    const before = await fingerprint(pg, ref);
    const requested = await createProjectBackup(h.deps, {
      actor: principalOf(owner),
      input: { ref },
    });
    const backup = await backupDone(requested.id);
    expect(backup.status).toBe('COMPLETED');

    const list = await h.call('GET', `/platform/database/${ref}/backups`, { as: owner });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      pitr_enabled: false,
      walg_enabled: false,
      backups: [{ id: backup.id, isPhysicalBackup: false, status: 'COMPLETED' }],
    });
    const paused = await h.call('GET', `/platform/projects/${ref}/pause/status`, { as: owner });
    expect(paused.body).toMatchObject({ latest_downloadable_backup_id: backup.id });
    const v1 = await h.call('GET', `/v1/projects/${ref}/database/backups`, { as: owner });
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual({
      region: expect.any(String),
      walg_enabled: false,
      pitr_enabled: false,
      backups: [
        {
          is_physical_backup: false,
          status: 'COMPLETED',
          inserted_at: backup.createdAt.toISOString(),
        },
      ],
      physical_backup_data: {},
    });

    // The body backup-download-mutation.ts@2272fe35 sends.
    const dl = await h.call('POST', `/platform/database/${ref}/backups/download`, {
      as: owner,
      body: {
        id: backup.id,
        inserted_at: backup.createdAt.toISOString(),
        project_id: backup.projectId,
        data: {},
        s3_bucket: 'deprecated',
        s3_path: 'deprecated',
        status: 'deprecated',
      },
    });
    expect(dl.status).toBe(201);
    const fileUrl = new URL((dl.body as { fileUrl: string }).fileUrl);
    // The browser opens it with no bearer token.
    const file = await h.app.request(fileUrl.pathname + fileUrl.search);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.dump"/);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
    const forged = await h.app.request(`${fileUrl.pathname}?token=${randomAlnum(40)}`);
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { message: string }).message).toMatch(
      /invalid or has expired/,
    );

    const denied = await h.call('POST', `/platform/database/${ref}/backups/restore`, {
      as: readOnly,
      body: { id: backup.id },
    });
    expect(denied.status).toBe(403);

    const sql = pg.admin(ref);
    await sql`delete from public.todos where id < 100`;
    await sql.end();
    expect((await fingerprint(pg, ref)).sums).not.toEqual(before.sums);

    const restore = await h.call('POST', `/platform/database/${ref}/backups/restore`, {
      as: owner,
      body: { id: backup.id },
    });
    expect(restore.status).toBe(201);
    expect((await h.project(ref)).status).toBe('RESTORING');
    const settled = await h.settle(ref, 'ACTIVE_HEALTHY');
    expect(settled.lastError).toBeNull();
    expect(settled.coolifyAction).toBe('restart');
    expect((await fingerprint(pg, ref)).sums).toEqual(before.sums);
    const actions = (
      await h.db.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.projectId, settled.id)))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'backup.requested',
        'backup.completed',
        'backup.restore',
        'backup.restored',
      ]),
    );
  });

  it('restores into a new project of the same organization once it is up', async () => {
    const source = await fingerprint(pg, ref);
    const requested = await createProjectBackup(h.deps, {
      actor: principalOf(owner),
      input: { ref },
    });
    const backup = await backupDone(requested.id);
    const target = await restoreProjectBackup(h.deps, {
      actor: principalOf(owner),
      input: { ref, backupId: backup.id, into: { newProjectName: 'Copy of backed up' } },
    });
    expect(target.ref).not.toBe(ref);
    expect(target.organizationId).toBe(h.org.id);
    // The new stack's database, as its image would have initialised it, with Supaplane's password.
    const root = pg.admin();
    await root.unsafe(`create database ${target.ref}`);
    await root.end();
    const secrets = (await loadProjectSecrets(h.deps.db, h.deps.keyring, target.id))!;
    await saveProjectSecrets(h.deps.db, h.deps.keyring, target.id, {
      ...secrets,
      SUPABASE_ADMIN_PASSWORD: pg.adminPassword,
    });
    await h.settle(target.ref, 'ACTIVE_HEALTHY');
    for (let i = 0; i < 200; i++) {
      const [restoreJob] = await h.db.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.projectId, target.id), eq(jobs.kind, 'backup-restore')));
      if (restoreJob?.state === 'succeeded') break;
      if (restoreJob?.state === 'dead') throw new Error(restoreJob.lastError ?? 'restore died');
      await h.settle(target.ref, (await h.project(target.ref)).status);
      await new Promise((r) => setTimeout(r, 50));
    }
    const settled = await h.settle(target.ref, 'ACTIVE_HEALTHY');
    expect(settled.lastError).toBeNull();
    expect((await fingerprint(pg, target.ref)).sums).toEqual(source.sums);
  });

  it('a damaged backup ends RESTORE_FAILED with a readable error and the data untouched', async () => {
    const requested = await createProjectBackup(h.deps, {
      actor: principalOf(owner),
      input: { ref },
    });
    const backup = await backupDone(requested.id);
    const file = path.join(backupDir(h.deps.config), backup.objectKey!);
    const stored = readFileSync(file);
    stored[100]! ^= 0xff;
    writeFileSync(file, stored);
    const before = await fingerprint(pg, ref);
    const res = await h.call('POST', `/platform/database/${ref}/backups/restore`, {
      as: owner,
      body: { id: backup.id },
    });
    expect(res.status).toBe(201);
    const failed = await h.settle(ref, 'RESTORE_FAILED');
    expect(failed.lastError).toMatch(/backup \d+ is damaged: .*nothing was changed/);
    expect(await fingerprint(pg, ref)).toEqual(before);
  });

  it('refuses a restore of an unknown backup with a 404 message', async () => {
    const res = await h.call('POST', `/platform/database/${ref}/backups/restore`, {
      as: owner,
      body: { id: 999999 },
    });
    expect(res.status).toBe(404);
    expect((res.body as { message: string }).message).toMatch(/Backup 999999 not found/);
  });
});
