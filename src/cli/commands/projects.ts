import type { Project } from '../../db/schema/index.js';
import { listAllOrganizations, getOrganizationBySlug } from '../operator.js';
import {
  createProject,
  deleteProject,
  getProjectByRef,
  listProjects,
  pauseProject,
  restartProject,
  restoreProject,
} from '../../projects/projects.js';
import { projectPublicUrl } from '../../projects/urls.js';
import {
  requirePositional,
  stringOption,
  timeoutOption,
  type Command,
  type CommandContext,
} from '../command.js';
import { EXIT, json, line, table, UsageError } from '../io.js';
import { watchProject, type Operation } from '../progress.js';
import { upgrade } from './upgrade.js';

/** Who the audit log records for CLI actions. */
export const CLI_ACTOR = { id: 'cli' };

const WAIT_OPTIONS = {
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

const list: Command = {
  name: 'projects list',
  usage: 'projects list [--org <slug>] [--json]',
  summary: 'List projects (all organizations, or one)',
  options: { org: { type: 'string' } },
  async run(ctx) {
    const { runtime } = await ctx.session();
    const deps = runtime.deps;
    const slug = stringOption(ctx.values, 'org');
    const orgs = slug
      ? [await getOrganizationBySlug(deps, slug)]
      : await listAllOrganizations(deps);
    const rows: { project: Project; org: string }[] = [];
    for (const org of orgs)
      for (const project of await listProjects(deps, org.id)) rows.push({ project, org: org.slug });
    if (ctx.values.json) {
      json(
        ctx.io,
        rows.map(({ project: p, org }) => ({
          ref: p.ref,
          name: p.name,
          organization: org,
          status: p.status,
          server: p.serverUuid,
          url: projectPublicUrl(deps.config, p.ref),
          created_at: p.createdAt.toISOString(),
          last_error: p.lastError,
        })),
      );
      return EXIT.ok;
    }
    if (!rows.length) {
      line(
        ctx.io,
        'No projects yet. Create one with: supaplane projects create <name> --org <slug>',
      );
      return EXIT.ok;
    }
    table(
      ctx.io,
      ['REF', 'NAME', 'ORG', 'STATUS', 'SERVER', 'CREATED'],
      rows.map(({ project: p, org }) => [
        p.ref,
        p.name,
        org,
        p.status,
        p.serverUuid,
        p.createdAt.toISOString().slice(0, 16).replace('T', ' '),
      ]),
    );
    return EXIT.ok;
  },
};

const create: Command = {
  name: 'projects create',
  usage:
    'projects create <name> [--org <slug>] [--server <uuid>] [--no-wait] [--timeout <s>] [--json]',
  summary: 'Create a project and follow it until it is ACTIVE_HEALTHY',
  options: { org: { type: 'string' }, server: { type: 'string' }, ...WAIT_OPTIONS },
  async run(ctx) {
    const name = requirePositional(ctx, 0, 'project name');
    const session = await ctx.session();
    const deps = session.runtime.deps;
    const org = await pickOrganization(ctx);
    const project = await createProject(deps, {
      actor: CLI_ACTOR,
      input: { organizationId: org.id, name, serverUuid: stringOption(ctx.values, 'server') },
    });
    ctx.io.stderr.write(
      `Creating ${project.ref} (${name}) in ${org.slug} on ${project.serverUuid}\n`,
    );
    return follow(ctx, project.ref, 'create');
  },
};

/** With --org, that organization; without, the only one there is. */
async function pickOrganization(ctx: CommandContext) {
  const deps = (await ctx.session()).runtime.deps;
  const slug = stringOption(ctx.values, 'org');
  if (slug) return getOrganizationBySlug(deps, slug);
  const orgs = await listAllOrganizations(deps);
  if (orgs.length === 1) return orgs[0]!;
  throw new UsageError(
    orgs.length
      ? `--org is required: one of ${orgs.map((o) => o.slug).join(', ')}`
      : 'no organization yet: create one with `supaplane orgs create <name>`',
  );
}

function lifecycle(
  operation: Exclude<Operation, 'create'>,
  verb: (typeof VERBS)[keyof typeof VERBS],
  summary: string,
): Command {
  return {
    name: `projects ${operation}`,
    usage: `projects ${operation} <ref>${operation === 'delete' ? ' --yes' : ''} [--no-wait] [--timeout <s>] [--json]`,
    summary,
    options: { ...WAIT_OPTIONS, ...(operation === 'delete' ? { yes: { type: 'boolean' } } : {}) },
    async run(ctx) {
      const ref = requirePositional(ctx, 0, 'project ref');
      if (operation === 'delete' && !ctx.values.yes) {
        throw new UsageError(
          `deleting ${ref} removes its containers and volumes for good: add --yes to confirm`,
        );
      }
      const deps = (await ctx.session()).runtime.deps;
      await verb(deps, { actor: CLI_ACTOR, input: { ref } });
      return follow(ctx, ref, operation);
    },
  };
}

const VERBS = {
  pause: pauseProject,
  restore: restoreProject,
  restart: restartProject,
  delete: deleteProject,
} as const;

/** Runs the jobs here and shows progress until the project settles (or returns at once). */
export async function follow(
  ctx: CommandContext,
  ref: string,
  operation: Operation,
): Promise<number> {
  const session = await ctx.session();
  const deps = session.runtime.deps;
  const print = (project: Project) =>
    ctx.values.json
      ? json(ctx.io, {
          ref: project.ref,
          name: project.name,
          status: project.status,
          url: projectPublicUrl(deps.config, project.ref),
          last_error: project.lastError,
        })
      : line(ctx.io, `${project.ref} ${project.status}`);
  if (ctx.values['no-wait']) {
    print(await getProjectByRef(deps, ref));
    return EXIT.ok;
  }
  session.startWorkers();
  const fallback = deps.config.SUPAPLANE_SETTLE_TIMEOUT_MS + 60_000;
  const result = await watchProject(deps, ctx.io, ref, operation, {
    timeoutMs: timeoutOption(ctx.values, fallback),
    signal: ctx.signal,
  });
  const { project } = result;
  const err = ctx.io.stderr;
  if (result.type === 'ok') {
    err.write(`✔ ${ref} ${project.status}\n`);
    if (operation === 'create' && !ctx.values.json) {
      err.write(`  URL:  ${projectPublicUrl(deps.config, ref)}\n  Keys: supaplane keys ${ref}\n`);
    }
    print(project);
    return EXIT.ok;
  }
  if (result.type === 'failed') {
    err.write(`✘ ${ref} ${project.status}${project.lastError ? `: ${project.lastError}` : ''}\n`);
    print(project);
    return EXIT.failed;
  }
  const why = result.type === 'timeout' ? 'gave up waiting' : 'interrupted';
  err.write(
    `✘ ${why}: ${ref} is still ${project.status}. The job stays queued in the database and ` +
      `finishes in any running Supaplane server (or the next CLI command that waits).\n`,
  );
  print(project);
  return result.type === 'timeout' ? EXIT.failed : EXIT.interrupted;
}

export const projectCommands: Command[] = [
  list,
  create,
  lifecycle('pause', VERBS.pause, 'Pause a project (stops its containers; data is kept)'),
  lifecycle('restore', VERBS.restore, 'Restore a paused project'),
  lifecycle('restart', VERBS.restart, 'Restart a project'),
  lifecycle('delete', VERBS.delete, 'Delete a project with its data (asks for --yes)'),
  upgrade,
];
