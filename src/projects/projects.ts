import { randomUUID } from 'node:crypto';
import { and, count, eq, ne } from 'drizzle-orm';
import { provisioningGaps } from '../config/config.js';
import type { Deps } from '../context.js';
import {
  auditLog,
  jobs,
  projects,
  RUNNING_STATUSES,
  type Project,
  type ProjectStatus,
} from '../db/schema/index.js';
import { AppError, invalid, notFound, precondition } from '../errors.js';
import { isUniqueViolation } from '../db/errors.js';
import { enqueue, type JobKind } from '../jobs/queue.js';
import { CURRENT_TEMPLATE_VERSION } from '../provisioner/template.js';
import { generateProjectSecrets } from '../secrets/generate.js';
import { saveProjectSecrets } from '../secrets/store.js';
import { saveSettings } from '../settings/store.js';
import { seedApiKeys } from '../api-keys/api-keys.js';
import { getOrganization } from '../organizations/organizations.js';
import { isProjectRef, newProjectRef } from './refs.js';
import { transition } from './transitions.js';

export interface Actor {
  /** Who asked, for the audit log: a user id, `cli`, `system`… */
  id: string;
}

export interface CreateProjectInput {
  organizationId: number;
  name: string;
  serverUuid?: string;
  /** Makes a retried create return the first project instead of making another. */
  idempotencyKey?: string;
  /** The database password (`db_pass`); generated when absent. */
  dbPassword?: string;
  /** Schemas the Data API exposes (`data_api_exposed_schemas`); `[]` turns it off. */
  dataApiSchemas?: string[];
  /** SQL run once the database is up (`db_sql`, e.g. Studio's automatic RLS trigger). */
  initSql?: string;
}

export async function createProject(
  deps: Deps,
  { actor, input }: { actor: Actor; input: CreateProjectInput },
): Promise<Project> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 256) throw invalid('Project name must be 1–256 characters');
  const gap = provisioningGaps(deps.config);
  if (gap) throw precondition(gap);
  const org = await getOrganization(deps, input.organizationId);
  const serverUuid = input.serverUuid ?? (await leastLoadedServer(deps));
  if (!deps.config.COOLIFY_SERVER_UUIDS.includes(serverUuid)) {
    throw invalid(`Unknown region/server "${serverUuid}"`, {
      allowed: deps.config.COOLIFY_SERVER_UUIDS,
    });
  }
  const jobId = input.idempotencyKey ? `create:${org.id}:${input.idempotencyKey}` : undefined;
  if (jobId) {
    const existing = await projectOfJob(deps, jobId);
    if (existing) return existing;
  }
  const secrets = await generateProjectSecrets(CURRENT_TEMPLATE_VERSION);
  if (input.dbPassword !== undefined) secrets.POSTGRES_PASSWORD = checkDbPassword(input.dbPassword);
  const dataApiSchemas =
    input.dataApiSchemas === undefined ? undefined : checkSchemas(input.dataApiSchemas);
  if (input.initSql !== undefined && input.initSql.length > 100_000) {
    throw invalid('db_sql must be at most 100000 characters');
  }
  for (let tries = 0; ; tries++) {
    const ref = newProjectRef();
    try {
      const project = await deps.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(projects)
          .values({
            ref,
            name,
            organizationId: org.id,
            status: 'COMING_UP',
            serverUuid,
            templateVersion: CURRENT_TEMPLATE_VERSION,
          })
          .returning();
        const project = row!;
        await saveProjectSecrets(tx, deps.keyring, project.id, secrets);
        await seedApiKeys(tx, project.id);
        if (dataApiSchemas !== undefined) {
          await saveSettings(tx, deps.keyring, project.id, {
            values: { postgrest: { db_schema: dataApiSchemas.join(',') } },
            secrets: {},
          });
        }
        if (input.initSql?.trim()) {
          await enqueue(tx, {
            id: `init-sql:${ref}`,
            kind: 'init-sql',
            projectId: project.id,
            payload: { sql: input.initSql },
          });
        }
        await tx.insert(auditLog).values({
          actor: actor.id,
          action: 'project.create',
          organizationId: org.id,
          projectId: project.id,
          toStatus: 'COMING_UP',
          detail: {
            name,
            serverUuid,
            ...(dataApiSchemas !== undefined ? { dataApiSchemas } : {}),
            ...(input.initSql?.trim() ? { initSql: true } : {}),
          },
        });
        const fresh = await enqueue(tx, {
          id: jobId ?? `create:${ref}`,
          kind: 'create',
          projectId: project.id,
        });
        // Same idempotency key raced in from another request: undo ours, return theirs.
        if (!fresh) throw new DuplicateCreate();
        return project;
      });
      deps.wakeJobs?.();
      return project;
    } catch (err) {
      if (isUniqueViolation(err, 'projects_ref_unique') && tries < 5) continue;
      if (jobId && err instanceof DuplicateCreate) {
        const existing = await projectOfJob(deps, jobId);
        if (existing) return existing;
      }
      throw err;
    }
  }
}

/** Which states each operation may start from, and the state it moves the project to. */
const OPERATIONS: Record<
  Exclude<
    JobKind,
    | 'create'
    | 'apply-env'
    | 'rename'
    | 'init-sql'
    | 'backup'
    | 'backup-restore'
    | 'backup-restore-when-up'
    | 'upgrade'
  >,
  { from: readonly ProjectStatus[]; to: ProjectStatus; verb: string }
> = {
  pause: {
    from: [...RUNNING_STATUSES, 'PAUSE_FAILED'],
    to: 'PAUSING',
    verb: 'paused',
  },
  restore: { from: ['INACTIVE', 'RESTORE_FAILED'], to: 'RESTORING', verb: 'restored' },
  restart: {
    from: RUNNING_STATUSES,
    to: 'RESTARTING',
    verb: 'restarted',
  },
  delete: {
    from: [
      'INACTIVE',
      'ACTIVE_HEALTHY',
      'ACTIVE_UNHEALTHY',
      'COMING_UP',
      'UNKNOWN',
      'INIT_FAILED',
      'RESTORING',
      'UPGRADING',
      'PAUSING',
      'RESTORE_FAILED',
      'RESTARTING',
      'PAUSE_FAILED',
      'RESIZING',
    ],
    to: 'GOING_DOWN',
    verb: 'deleted',
  },
};

export const pauseProject = (deps: Deps, args: LifecycleArgs) => runOperation(deps, 'pause', args);
export const restoreProject = (deps: Deps, args: LifecycleArgs) =>
  runOperation(deps, 'restore', args);
export const restartProject = (deps: Deps, args: LifecycleArgs) =>
  runOperation(deps, 'restart', args);
export const deleteProject = (deps: Deps, args: LifecycleArgs) =>
  runOperation(deps, 'delete', args);

interface LifecycleArgs {
  actor: Actor;
  input: { ref: string };
}

async function runOperation(
  deps: Deps,
  kind: keyof typeof OPERATIONS,
  { actor, input }: LifecycleArgs,
) {
  const op = OPERATIONS[kind];
  const project = await getProjectByRef(deps, input.ref);
  if (project.status === op.to) return project; // already under way: asking twice is harmless
  if (!op.from.includes(project.status)) {
    throw new AppError(
      'precondition',
      `Project ${project.ref} cannot be ${op.verb} while it is ${project.status}`,
      { status: project.status },
    );
  }
  const updated = await deps.db.transaction((tx) =>
    transition(tx, project, {
      to: op.to,
      from: [project.status],
      actor: actor.id,
      action: `project.${kind}`,
      error: null,
      job: { id: `${kind}:${project.ref}:${randomUUID()}`, kind, projectId: project.id },
    }),
  );
  if (!updated)
    throw new AppError('conflict', `Project ${project.ref} changed state meanwhile; try again`);
  deps.wakeJobs?.();
  return updated;
}

export async function getProjectByRef(deps: Pick<Deps, 'db'>, ref: string): Promise<Project> {
  if (!isProjectRef(ref)) throw notFound(`Project ${ref}`);
  const [row] = await deps.db.select().from(projects).where(eq(projects.ref, ref));
  if (!row) throw notFound(`Project ${ref}`);
  return row;
}

export async function listProjects(
  deps: Pick<Deps, 'db'>,
  organizationId: number,
): Promise<Project[]> {
  return deps.db
    .select()
    .from(projects)
    .where(and(eq(projects.organizationId, organizationId), ne(projects.status, 'REMOVED')))
    .orderBy(projects.id);
}

async function leastLoadedServer(deps: Deps): Promise<string> {
  const rows = await deps.db
    .select({ server: projects.serverUuid, n: count() })
    .from(projects)
    .where(ne(projects.status, 'REMOVED'))
    .groupBy(projects.serverUuid);
  const load = new Map(rows.map((r) => [r.server, r.n]));
  const servers = deps.config.COOLIFY_SERVER_UUIDS;
  return servers.reduce(
    (best, s) => ((load.get(s) ?? 0) < (load.get(best) ?? 0) ? s : best),
    servers[0]!,
  );
}

async function projectOfJob(deps: Deps, jobId: string): Promise<Project | undefined> {
  const [row] = await deps.db
    .select({ project: projects })
    .from(jobs)
    .innerJoin(projects, eq(projects.id, jobs.projectId))
    .where(eq(jobs.id, jobId));
  return row?.project;
}

class DuplicateCreate extends Error {}

/** The password goes into postgres:// URIs and Coolify's .env unescaped (see template.ts). */
function checkDbPassword(password: string): string {
  if (!/^[A-Za-z0-9._~-]{8,128}$/.test(password)) {
    throw invalid(
      'db_pass must be 8–128 characters of letters, digits and . _ ~ - (it is used in connection URIs)',
    );
  }
  return password;
}

/** Schema names for PGRST_DB_SCHEMAS (a comma-separated list in the stack's env). */
function checkSchemas(schemas: string[]): string[] {
  for (const s of schemas) {
    if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(s)) {
      throw invalid(`data_api_exposed_schemas: "${s.slice(0, 64)}" is not a schema name`);
    }
  }
  return [...new Set(schemas)];
}
