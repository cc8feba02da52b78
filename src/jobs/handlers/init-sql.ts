import { eq } from 'drizzle-orm';
import { auditLog, projects } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { callPgMeta } from '../../database/query.js';
import { projectLabel } from '../../gateway/gateway.js';
import { projectGatewayUrl, projectPublicUrl } from '../../projects/urls.js';
import { done, wait, type JobHandler } from './types.js';

/** Where waiting ends: the project will never come up, or is gone. */
const GIVE_UP = ['INIT_FAILED', 'GOING_DOWN', 'REMOVED'];

/**
 * init-sql: the wizard's `db_sql` (Studio's "enable automatic RLS" event trigger), run
 * once through the project's postgres-meta as soon as the project is healthy. A SQL
 * error is not retried (it would fail the same way): it is shown on the project as its
 * last error, and written to the audit log. Unreachable gateways are retried.
 */
export const initSqlHandler: JobHandler = {
  // The project stays as it is if this fails; the error is shown instead.
  failure: { while: [], to: 'ACTIVE_UNHEALTHY' },
  waitBudgetMs: 30 * 60_000,
  async run({ deps, project, job }) {
    if (GIVE_UP.includes(project.status)) return done;
    if (project.status !== 'ACTIVE_HEALTHY') return wait(2_000, 'the database is not up yet');
    const sql = typeof job.payload.sql === 'string' ? job.payload.sql : '';
    if (!sql.trim()) return done;
    const secrets = await loadProjectSecrets(deps.db, deps.keyring, project.id);
    if (!secrets) throw new Error(`secrets of project ${project.ref} are missing`);
    let reply: Awaited<ReturnType<typeof callPgMeta>>;
    try {
      reply = await callPgMeta(
        {
          project,
          label: projectLabel(project),
          baseUrl: projectGatewayUrl(deps.config, project.ref),
          publicUrl: projectPublicUrl(deps.config, project.ref),
          serviceKey: secrets.SUPABASE_SERVICE_KEY,
          anonKey: secrets.SUPABASE_ANON_KEY,
        },
        { method: 'POST', path: '/query', json: { query: sql } },
      );
    } catch (err) {
      // The gateway may not answer yet right after the first healthy probe: try again.
      if (err instanceof AppError && err.code === 'upstream_unavailable') {
        return wait(5_000, err.message);
      }
      throw err;
    }
    const failed = reply.status >= 400;
    const message = failed
      ? `The project's setup SQL (db_sql) failed: ${String((reply.body as { error?: unknown }).error).slice(0, 500)}`
      : null;
    await deps.db.transaction(async (tx) => {
      if (message) {
        await tx.update(projects).set({ lastError: message }).where(eq(projects.id, project.id));
      }
      await tx.insert(auditLog).values({
        actor: 'system',
        action: failed ? 'project.init_sql.failed' : 'project.init_sql',
        organizationId: project.organizationId,
        projectId: project.id,
        detail: failed ? { error: message } : {},
      });
    });
    return done;
  },
};
