import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { auditLog, projects, type Project } from '../../src/db/schema/index.js';
import { generateProjectSecrets, type ProjectSecrets } from '../../src/secrets/generate.js';
import { loadProjectSecrets, saveProjectSecrets } from '../../src/secrets/store.js';
import { createProject } from '../../src/projects/projects.js';
import { startHarness, waitFor, type Harness } from '../support/harness.js';
import { startV1ProjectDb, type V1ProjectDb } from '../support/v1-project-db.js';

export const actor = { id: 'test' };

export interface UpgradeRig {
  h: Harness;
  db: V1ProjectDb;
  close(): Promise<void>;
}

/** The harness, a Postgres 15 for the project's database, backups into a temp folder. */
export async function startUpgradeRig(env: Record<string, string> = {}): Promise<UpgradeRig> {
  const db = await startV1ProjectDb();
  const backups = mkdtempSync(path.join(tmpdir(), 'upgrade-backups-'));
  // Several upgrades back to back poll Coolify more than 180 calls a minute: these tests are
  // about the upgrade, not the shared budget (test/coolify/shared-budget.test.ts is).
  const h = await startHarness({
    startRunner: false,
    sim: { rateLimitPerMinute: 100_000 },
    env: {
      COOLIFY_RATE_LIMIT_PER_MINUTE: '100000',
      SUPAPLANE_PROJECT_DATABASE_URL: db.urlTemplate,
      SUPAPLANE_BACKUP_DIR: backups,
      SUPAPLANE_UPGRADE_STEP_TIMEOUT_MS: '3000',
      SUPAPLANE_UPGRADE_POLL_MS: '250',
      ...env,
    },
  });
  return {
    h,
    db,
    async close() {
      await h.close();
      await db.stop();
      rmSync(backups, { recursive: true, force: true });
    },
  };
}

/**
 * Projects created as Supaplane created them before v2 existed: template v1, v1's secret
 * set, a v1 stack in Coolify, ACTIVE_HEALTHY. `shared` gives them all the same secrets
 * (projects on one test server share its cluster-wide roles).
 */
export async function v1Projects(
  rig: UpgradeRig,
  names: string[],
  shared?: ProjectSecrets,
): Promise<Project[]> {
  const { h } = rig;
  const made: Project[] = [];
  for (const name of names) {
    const p = await createProject(h.deps, { actor, input: { organizationId: h.org.id, name } });
    const secrets = shared ?? (await generateProjectSecrets('v1'));
    await h.db.db.update(projects).set({ templateVersion: 'v1' }).where(eq(projects.id, p.id));
    await saveProjectSecrets(h.db.db, h.deps.keyring, p.id, secrets);
    made.push(p);
  }
  h.runner.start();
  for (const p of made) await h.settle(p.ref, 'ACTIVE_HEALTHY', 20_000);
  const first = (await loadProjectSecrets(h.db.db, h.deps.keyring, made[0]!.id))!;
  await rig.db.init(made[0]!.ref, first);
  if (shared?.SUPABASE_ADMIN_PASSWORD) {
    // Shared v2 passwords: supabase_admin has its v2 one already (the backups log in with
    // it, project-database.ts), as after a first upgrade on this server.
    const sql = rig.db.connect('supabase_admin', first.POSTGRES_PASSWORD);
    await sql.unsafe(`alter role supabase_admin with password '${shared.SUPABASE_ADMIN_PASSWORD}'`);
    await sql.end();
  }
  return Promise.all(made.map((p) => h.project(p.ref)));
}

/**
 * Waits for the upgrade job to settle the project, without reconcile ticks: the job
 * owns the project and sets its final status itself (and ticks would spend the Coolify
 * budget the job's own polling needs).
 */
export async function upgraded(h: Harness, ref: string, timeoutMs = 40_000): Promise<Project> {
  return waitFor(
    async () => {
      const p = await h.project(ref);
      return p.status !== 'UPGRADING' ? p : undefined;
    },
    timeoutMs,
    `the upgrade of ${ref} to settle`,
  ).catch(async (err: Error) => {
    const [job] = await h.db
      .sql`select state, last_error, payload from jobs where kind = 'upgrade' and project_id = (select id from projects where ref = ${ref}) order by created_at desc limit 1`;
    throw new Error(`${err.message}; job ${JSON.stringify(job)}`);
  });
}

export async function secretsOf(h: Harness, p: Project): Promise<ProjectSecrets> {
  return (await loadProjectSecrets(h.db.db, h.deps.keyring, p.id))!;
}

export async function auditActions(h: Harness, p: Project): Promise<string[]> {
  const rows = await h.db.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.projectId, p.id))
    .orderBy(auditLog.id);
  return rows.map((r) => {
    const step = (r.detail as { step?: string } | null)?.step;
    return step ? `${r.action}:${step}` : r.action;
  });
}

/** What the database says about the settings and passwords the upgrade changes. */
export async function databaseFacts(rig: UpgradeRig, s: ProjectSecrets) {
  const canLogin = async (user: string, password: string | undefined) => {
    if (!password) return false;
    const sql = rig.db.connect(user, password);
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  const admin = (await canLogin('supabase_admin', s.SUPABASE_ADMIN_PASSWORD))
    ? s.SUPABASE_ADMIN_PASSWORD!
    : s.POSTGRES_PASSWORD;
  const sql = rig.db.connect('supabase_admin', admin);
  try {
    const [row] = await sql<{ jwt: string | null }[]>`
      select current_setting('app.settings.jwt_secret', true) as jwt`;
    const rows = await sql<{ id: number; note: string }[]>`
      select id, note from public.upgrade_canary order by id`.catch(() => []);
    return {
      jwtSecret: row!.jwt,
      canary: rows.map((r) => `${r.id}:${r.note}`),
      adminLogsInWith:
        admin === s.POSTGRES_PASSWORD ? 'POSTGRES_PASSWORD' : 'SUPABASE_ADMIN_PASSWORD',
      authenticatorOld: await canLogin('authenticator', s.POSTGRES_PASSWORD),
      authenticatorNew: await canLogin('authenticator', s.AUTHENTICATOR_PASSWORD),
      authAdminNew: await canLogin('supabase_auth_admin', s.AUTH_ADMIN_PASSWORD),
      storageAdminNew: await canLogin('supabase_storage_admin', s.STORAGE_ADMIN_PASSWORD),
      pgbouncerOld: await canLogin('pgbouncer', s.POSTGRES_PASSWORD),
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** A table with rows, to prove a rollback keeps data as it was. */
export async function writeCanary(rig: UpgradeRig, s: ProjectSecrets): Promise<void> {
  const sql = rig.db.connect('supabase_admin', s.POSTGRES_PASSWORD);
  try {
    await sql`create table public.upgrade_canary (id int primary key, note text)`;
    await sql`insert into public.upgrade_canary values (1, 'before'), (2, 'upgrade')`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
