import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { eq } from 'drizzle-orm';
import { backupFileName, openBackupDownload } from '../../backups/verbs.js';
import { getBackup, listBackups, requestBackup, requestRestore } from '../../backups/service.js';
import { backups, type Backup } from '../../db/schema/index.js';
import { effectivePolicy, setPolicy } from '../../backups/policy.js';
import { getOrganizationBySlug } from '../operator.js';
import { getProjectByRef } from '../../projects/projects.js';
import { requirePositional, stringOption, timeoutOption, type Command } from '../command.js';
import { EXIT, json, line, table, UsageError } from '../io.js';
import { CLI_ACTOR, follow } from './projects.js';

const view = (b: Backup) => ({
  id: b.id,
  kind: b.kind,
  status: b.status,
  created_at: b.createdAt.toISOString(),
  size_bytes: b.sizeBytes,
  duration_ms: b.durationMs,
  sha256: b.sha256,
  template_version: b.templateVersion,
  postgres_version: b.postgresVersion,
  attempts: b.attempts,
  error: b.lastError,
});

const mb = (n: number | null) => (n === null ? '' : `${(n / 1024 / 1024).toFixed(1)} MB`);

const backupId = (raw: string) => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${raw}" is not a backup id`);
  return id;
};

const list: Command = {
  name: 'backups list',
  usage: 'backups list <ref> [--json]',
  summary: "List a project's backups (newest first)",
  async run(ctx) {
    const deps = (await ctx.session()).runtime.deps;
    const project = await getProjectByRef(deps, requirePositional(ctx, 0, 'project ref'));
    const rows = await listBackups(deps, project);
    if (ctx.values.json) {
      json(ctx.io, rows.map(view));
      return EXIT.ok;
    }
    if (!rows.length) {
      line(
        ctx.io,
        `No backups of ${project.ref} yet. Take one with: supaplane backups create ${project.ref}`,
      );
      return EXIT.ok;
    }
    table(
      ctx.io,
      ['ID', 'KIND', 'STATUS', 'CREATED', 'SIZE', 'POSTGRES', 'ERROR'],
      rows.map((b) => [
        b.id,
        b.kind,
        b.status,
        b.createdAt.toISOString().slice(0, 16).replace('T', ' '),
        mb(b.sizeBytes),
        b.postgresVersion ?? '',
        b.lastError ?? '',
      ]),
    );
    return EXIT.ok;
  },
};

const create: Command = {
  name: 'backups create',
  usage: 'backups create <ref> [--no-wait] [--timeout <s>] [--json]',
  summary: 'Take a backup now and follow it until it is stored',
  options: { 'no-wait': { type: 'boolean' }, timeout: { type: 'string' } },
  async run(ctx) {
    const session = await ctx.session();
    const deps = session.runtime.deps;
    const project = await getProjectByRef(deps, requirePositional(ctx, 0, 'project ref'));
    let backup = await requestBackup(deps, { actor: CLI_ACTOR, project });
    const err = ctx.io.stderr;
    err.write(`Backing up ${project.ref} (backup ${backup.id})\n`);
    if (!ctx.values['no-wait']) {
      session.startWorkers();
      const started = Date.now();
      const deadline = started + timeoutOption(ctx.values, 60 * 60_000);
      let last = '';
      while (backup.status === 'PENDING' && Date.now() < deadline && !ctx.signal.aborted) {
        const state = `${backup.status} · attempt ${backup.attempts}${backup.lastError ? ` · ${backup.lastError}` : ''}`;
        if (state !== last)
          err.write(
            `${project.ref} backup ${backup.id} ${state} · ${Math.round((Date.now() - started) / 1000)}s\n`,
          );
        last = state;
        await new Promise((r) => setTimeout(r, 500));
        [backup] = (await deps.db.select().from(backups).where(eq(backups.id, backup.id))) as [
          Backup,
        ];
      }
      if (backup.status === 'COMPLETED')
        err.write(
          `✔ backup ${backup.id}: ${mb(backup.sizeBytes)} in ${((backup.durationMs ?? 0) / 1000).toFixed(1)}s, sha256 ${backup.sha256}\n`,
        );
      else if (backup.status === 'FAILED')
        err.write(`✘ backup ${backup.id} failed: ${backup.lastError}\n`);
    }
    if (ctx.values.json) json(ctx.io, view(backup));
    else line(ctx.io, `${backup.id} ${backup.status}`);
    return backup.status === 'FAILED' || (backup.status === 'PENDING' && !ctx.values['no-wait'])
      ? EXIT.failed
      : EXIT.ok;
  },
};

const restore: Command = {
  name: 'backups restore',
  usage:
    'backups restore <ref> <backup-id> --yes [--into-new <name>] [--no-wait] [--timeout <s>] [--json]',
  summary: "Replace a project's database with a backup (or restore it into a new project)",
  options: {
    yes: { type: 'boolean' },
    'into-new': { type: 'string' },
    'no-wait': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  async run(ctx) {
    const ref = requirePositional(ctx, 0, 'project ref');
    const id = backupId(requirePositional(ctx, 1, 'backup id'));
    const intoNew = stringOption(ctx.values, 'into-new');
    if (!intoNew && !ctx.values.yes)
      throw new UsageError(`restoring replaces the whole database of ${ref}: add --yes to confirm`);
    const deps = (await ctx.session()).runtime.deps;
    const project = await getProjectByRef(deps, ref);
    const target = await requestRestore(deps, {
      actor: CLI_ACTOR,
      project,
      backupId: id,
      into: intoNew ? { newProjectName: intoNew } : 'same',
    });
    if (intoNew) {
      ctx.io.stderr.write(
        `Creating ${target.ref} (${intoNew}); backup ${id} is restored into it once it is up\n`,
      );
      return follow(ctx, target.ref, 'create');
    }
    ctx.io.stderr.write(`Restoring backup ${id} into ${ref}\n`);
    return follow(ctx, ref, 'restore');
  },
};

const download: Command = {
  name: 'backups download',
  usage: 'backups download <ref> <backup-id> [--out <file>]',
  summary: 'Write a backup, decrypted, as a pg_dump custom-format file (for pg_restore)',
  options: { out: { type: 'string' } },
  async run(ctx) {
    const deps = (await ctx.session()).runtime.deps;
    const project = await getProjectByRef(deps, requirePositional(ctx, 0, 'project ref'));
    const backup = await getBackup(deps, project, backupId(requirePositional(ctx, 1, 'backup id')));
    const out = stringOption(ctx.values, 'out') ?? backupFileName(project.ref, backup);
    const { stream, release } = await openBackupDownload(deps, backup);
    let written = 0;
    let shown = 0;
    const progress = new Transform({
      transform(chunk: Buffer, _e, cb) {
        written += chunk.length;
        if (written - shown > 8 * 1024 * 1024) {
          shown = written;
          ctx.io.stderr.write(`${mb(written)} of ~${mb(backup.sizeBytes)}\n`);
        }
        cb(null, chunk);
      },
    });
    try {
      await pipeline(stream, progress, createWriteStream(out, { mode: 0o600 }));
    } finally {
      await release();
    }
    ctx.io.stderr.write(
      `✔ ${out} (${mb(written)}); restore with: pg_restore --dbname <url> ${out}\n`,
    );
    line(ctx.io, out);
    return EXIT.ok;
  },
};

const schedule: Command = {
  name: 'backups schedule',
  usage:
    'backups schedule (<ref> | --org <slug>) [--at HH:MM] [--keep <n>] [--on | --off] [--json]',
  summary:
    'Daily backups of a project or an organization: time of day (UTC), how many kept, on/off',
  options: {
    org: { type: 'string' },
    at: { type: 'string' },
    keep: { type: 'string' },
    on: { type: 'boolean' },
    off: { type: 'boolean' },
  },
  async run(ctx) {
    const deps = (await ctx.session()).runtime.deps;
    const slug = stringOption(ctx.values, 'org');
    const ref = ctx.positionals[0];
    if (Boolean(slug) === Boolean(ref)) throw new UsageError('give a project ref or --org <slug>');
    if (ctx.values.on && ctx.values.off) throw new UsageError('--on and --off together');
    const at = stringOption(ctx.values, 'at');
    const time = at?.match(/^([01]\d|2[0-3]):([0-5]\d)$/);
    if (at && !time) throw new UsageError('--at must be HH:MM (UTC)');
    const keepRaw = stringOption(ctx.values, 'keep');
    const keep = keepRaw === undefined ? undefined : Number(keepRaw);
    if (keep !== undefined && (!Number.isInteger(keep) || keep < 1 || keep > 365))
      throw new UsageError('--keep must be a whole number from 1 to 365');
    const input = {
      ...(time ? { timeOfDayMinutes: Number(time[1]) * 60 + Number(time[2]) } : {}),
      ...(keep !== undefined ? { retentionDaily: keep } : {}),
      ...(ctx.values.on ? { enabled: true } : ctx.values.off ? { enabled: false } : {}),
    };
    const scope = slug
      ? { organizationId: (await getOrganizationBySlug(deps, slug)).id }
      : { projectId: (await getProjectByRef(deps, ref!)).id };
    if (Object.keys(input).length) await setPolicy(deps, scope, input);
    const shown = ref
      ? await effectivePolicy(deps, (scope as { projectId: number }).projectId)
      : undefined;
    if (ctx.values.json)
      json(ctx.io, { ...scope, ...input, ...(shown ? { effective: shown } : {}) });
    else if (shown) {
      const hh = String(Math.floor(shown.timeOfDayMinutes / 60)).padStart(2, '0');
      const mm = String(shown.timeOfDayMinutes % 60).padStart(2, '0');
      line(
        ctx.io,
        `${ref}: daily backups ${shown.enabled ? 'on' : 'off'} at ${hh}:${mm} UTC, last ${shown.retention.scheduled} kept`,
      );
    } else line(ctx.io, `${slug}: saved`);
    return EXIT.ok;
  },
};

export const backupCommands: Command[] = [list, create, restore, download, schedule];
