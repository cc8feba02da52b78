import { connectProjectDatabase } from '../database/project-database.js';
import { preUpgradeBackup, reachableBeforeSwap, restoreFromBackup } from './backup-step.js';
import { MigrationFailed, runMigrationFile, workingPassword } from './migration.js';
import {
  databaseAt,
  next,
  secretsOf,
  StepFailed,
  waitOr,
  type StepContext,
  type StepResult,
} from './steps.js';

/** Before anything changes, when the running stack's database can be reached. */
export async function takeBackup(ctx: StepContext): Promise<StepResult> {
  if (ctx.state.backupId !== undefined) return next;
  if (!(await reachableBeforeSwap(ctx))) {
    await ctx.remember({ backupDeferred: true });
    return next;
  }
  await ctx.remember({ backupId: await preUpgradeBackup(ctx, ctx.state.from) });
  return next;
}

/**
 * Otherwise once the new stack serves the database, still before the migration. The backup
 * logs in as supabase_admin with the password the project now stores for it
 * (project-database.ts: SUPABASE_ADMIN_PASSWORD once the secrets step added it), so that
 * one password is set first; the migration state says so, and a rollback's inverse SQL
 * puts the old one back.
 */
export async function takeDeferredBackup(ctx: StepContext): Promise<StepResult> {
  if (ctx.state.backupId !== undefined || !ctx.state.backupDeferred) return next;
  const s = await secretsOf(ctx);
  const target = await databaseAt(ctx, ctx.state.to);
  const wanted = s.SUPABASE_ADMIN_PASSWORD ?? s.POSTGRES_PASSWORD;
  const { password, detail } = await workingPassword(target, [wanted, s.POSTGRES_PASSWORD]);
  if (!password) return waitOr(ctx, 'the database to accept connections', detail);
  if (password !== wanted) {
    await ctx.remember({ migration: 'started' });
    const sql = connectProjectDatabase({ ...target, password });
    try {
      await sql.unsafe(`alter role supabase_admin with password '${wanted.replace(/'/g, "''")}'`);
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
  await ctx.remember({ backupId: await preUpgradeBackup(ctx, ctx.state.to) });
  return next;
}

/** supabase_admin's password before the migration, then after it: either may be current. */
async function adminPasswords(ctx: StepContext): Promise<string[]> {
  const s = await secretsOf(ctx);
  const before = s.POSTGRES_PASSWORD;
  const after = s.SUPABASE_ADMIN_PASSWORD;
  const order = ctx.state.migration === 'done' ? [after, before] : [before, after];
  return order.filter((p): p is string => Boolean(p));
}

/** The new stack's database accepts supabase_admin: the migration can run. */
async function connectable(ctx: StepContext) {
  const target = await databaseAt(ctx, ctx.state.to);
  const { password, detail } = await workingPassword(target, await adminPasswords(ctx));
  return { target: password ? { ...target, password } : undefined, detail };
}

export async function awaitDatabase(ctx: StepContext): Promise<StepResult> {
  const { target, detail } = await connectable(ctx);
  return target ? next : waitOr(ctx, 'the database to accept connections', detail);
}

export async function migrate(ctx: StepContext): Promise<StepResult> {
  const { target, detail } = await connectable(ctx);
  if (!target) return waitOr(ctx, 'the database to accept connections', detail);
  // Noted before psql runs: a crash or error from here on may have left it committed.
  await ctx.remember({ migration: 'started' });
  const vars = ctx.path.migrationVars(await secretsOf(ctx));
  await runMigrationFile(
    target,
    ctx.deps.config.SUPAPLANE_PG_BIN_DIR,
    ctx.state.to,
    ctx.path.migration,
    vars,
  );
  await ctx.remember({ migration: 'done' });
  return next;
}

/**
 * Puts the database back as the old version had it: the inverse SQL (settings and role
 * passwords, which no pg_dump restore brings back) and, for a path that changes data, the
 * pre-upgrade backup. Runs while the new stack still serves the database.
 */
export async function unmigrate(ctx: StepContext): Promise<StepResult> {
  if (ctx.state.migration === 'none') return next;
  const { target, detail } = await connectable(ctx);
  if (!target) return waitOr(ctx, 'the database to accept connections', detail);
  const vars = ctx.path.inverseVars(await secretsOf(ctx));
  try {
    await runMigrationFile(
      target,
      ctx.deps.config.SUPAPLANE_PG_BIN_DIR,
      ctx.state.to,
      ctx.path.inverse,
      vars,
    );
  } catch (err) {
    if (err instanceof MigrationFailed) throw new StepFailed(err.message);
    throw err;
  }
  if (ctx.path.touchesData && ctx.state.backupId !== undefined) {
    await restoreFromBackup(ctx, ctx.state.backupId);
  }
  await ctx.remember({ migration: 'none' });
  return next;
}
