import { getProjectByRef } from '../../projects/projects.js';
import { awaitUpgrade, upgradeAll } from '../../upgrades/batch.js';
import { startUpgrade, type UpgradeProgress } from '../../upgrades/service.js';
import { stringOption, type Command, type CommandContext } from '../command.js';
import { EXIT, json, line, UsageError } from '../io.js';
import { CLI_ACTOR } from './projects.js';

const describeProgress = (ref: string, p: UpgradeProgress) =>
  `${ref} ${p.state.from} → ${p.state.to}: ${p.state.phase === 'rollback' ? 'rolling back, ' : ''}${p.state.step}`;

function parallelOption(ctx: CommandContext): number {
  const raw = stringOption(ctx.values, 'parallel') ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError('--parallel must be 1 to 16');
  return n;
}

/** `supaplane projects upgrade <ref> [--to vN]` and `--all [--parallel N]`. */
export const upgrade: Command = {
  name: 'projects upgrade',
  usage: 'projects upgrade <ref>|--all [--to <version>] [--parallel <n>] [--json]',
  summary: 'Upgrade a project (or all) to a newer template; rolls back on failure',
  options: { to: { type: 'string' }, all: { type: 'boolean' }, parallel: { type: 'string' } },
  async run(ctx) {
    const to = stringOption(ctx.values, 'to');
    const all = ctx.values.all === true;
    const ref = ctx.positionals[0];
    if (all === Boolean(ref)) throw new UsageError('give a project ref or --all');
    const session = await ctx.session();
    const deps = session.runtime.deps;
    session.startWorkers();
    const pollMs = ctx.io.pollMs ?? 500;
    const err = ctx.io.stderr;
    let last = '';
    const onProgress = (r: string) => (p: UpgradeProgress) => {
      const text = describeProgress(r, p);
      if (text !== last) err.write(`${text}\n`);
      last = text;
    };
    if (!all) {
      await startUpgrade(deps, { actor: CLI_ACTOR, input: { ref: ref!, to } });
      const progress = await awaitUpgrade(deps, ref!, {
        pollMs,
        signal: ctx.signal,
        onProgress: onProgress(ref!),
      });
      const project = await getProjectByRef(deps, ref!);
      const outcome = progress?.outcome ?? 'failed';
      const mark = outcome === 'succeeded' ? '✔' : '✘';
      err.write(
        `${mark} ${ref} ${outcome} · ${project.templateVersion} ${project.status}${project.lastError ? `: ${project.lastError}` : ''}\n`,
      );
      if (ctx.values.json)
        json(ctx.io, {
          ref,
          outcome,
          template_version: project.templateVersion,
          status: project.status,
          last_error: project.lastError,
        });
      else line(ctx.io, `${ref} ${outcome}`);
      return outcome === 'succeeded' ? EXIT.ok : EXIT.failed;
    }
    const results = await upgradeAll(deps, {
      actor: CLI_ACTOR,
      to,
      parallel: parallelOption(ctx),
      pollMs,
      signal: ctx.signal,
      onStart: (p) => err.write(`→ ${p.ref} ${p.templateVersion}\n`),
      onProgress: (p, progress) => onProgress(p.ref)(progress),
      onDone: (p, outcome, progress) =>
        err.write(
          `${outcome === 'succeeded' ? '✔' : '✘'} ${p.ref} ${outcome}${progress?.state.error ? `: ${progress.state.error}` : ''}\n`,
        ),
    });
    const rows = [...results].map(([r, outcome]) => ({ ref: r, outcome }));
    if (ctx.values.json) json(ctx.io, rows);
    else for (const r of rows) line(ctx.io, `${r.ref} ${r.outcome}`);
    if (rows.some((r) => r.outcome !== 'succeeded' && r.outcome !== 'skipped')) {
      err.write('Stopped at the first upgrade that did not succeed; the rest were skipped.\n');
      return EXIT.failed;
    }
    return EXIT.ok;
  },
};
