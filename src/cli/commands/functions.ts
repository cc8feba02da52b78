import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Principal } from '../../auth/principal.js';
import type { FunctionFile } from '../../functions/bundle.js';
import { deployFunction } from '../../functions/deploy.js';
import { deleteFunction, listFunctions } from '../../functions/edge-functions.js';
import { MAX_FILES } from '../../functions/limits.js';
import { requirePositional, stringOption, type Command } from '../command.js';
import { EXIT, json, line, table, UsageError } from '../io.js';

/** The operator at the server: reaches every project (src/functions/access.ts). */
const OPERATOR: Principal = { userId: 'cli', email: 'cli', via: 'operator' };

const list: Command = {
  name: 'functions list',
  usage: 'functions list <ref> [--json]',
  summary: "List a project's Edge Functions",
  async run(ctx) {
    const ref = requirePositional(ctx, 0, 'project ref');
    const deps = (await ctx.session()).runtime.deps;
    const functions = await listFunctions(deps, { actor: OPERATOR, input: { ref } });
    if (ctx.values.json) {
      json(ctx.io, functions);
      return EXIT.ok;
    }
    if (!functions.length) {
      line(ctx.io, `No functions yet. Deploy one with: supaplane functions deploy ${ref} <dir>`);
      return EXIT.ok;
    }
    table(
      ctx.io,
      ['SLUG', 'NAME', 'VERSION', 'VERIFY_JWT', 'UPDATED'],
      functions.map((f) => [
        f.slug,
        f.name,
        f.version,
        String(f.verify_jwt),
        new Date(f.updated_at).toISOString().slice(0, 16).replace('T', ' '),
      ]),
    );
    return EXIT.ok;
  },
};

/** Every file under `dir`, named by its path relative to it (dot-folders skipped). */
async function readTree(dir: string): Promise<FunctionFile[]> {
  const files: FunctionFile[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) {
        if (files.length >= MAX_FILES) {
          throw new UsageError(`${dir} has more than ${MAX_FILES} files`);
        }
        files.push({ name: child, content: await readFile(path.join(dir, child)) });
      }
    }
  };
  await walk('');
  return files;
}

const deploy: Command = {
  name: 'functions deploy',
  usage:
    'functions deploy <ref> <dir> [--slug <slug>] [--entrypoint index.ts] [--import-map <path>] [--no-verify-jwt] [--json]',
  summary: "Deploy a folder as a function's next version (slug: the folder's name)",
  options: {
    slug: { type: 'string' },
    entrypoint: { type: 'string' },
    'import-map': { type: 'string' },
    'no-verify-jwt': { type: 'boolean' },
  },
  async run(ctx) {
    const ref = requirePositional(ctx, 0, 'project ref');
    const dir = path.resolve(requirePositional(ctx, 1, 'function folder'));
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`${dir} is not a folder`);
    }
    const slug = stringOption(ctx.values, 'slug') ?? path.basename(dir);
    const metadata = {
      entrypoint_path: stringOption(ctx.values, 'entrypoint') ?? 'index.ts',
      import_map_path: stringOption(ctx.values, 'import-map'),
      name: slug,
      verify_jwt: !ctx.values['no-verify-jwt'],
    };
    const deps = (await ctx.session()).runtime.deps;
    const deployed = await deployFunction(deps, {
      actor: OPERATOR,
      input: { ref, slug, metadata: JSON.stringify(metadata), files: await readTree(dir) },
    });
    if (ctx.values.json) json(ctx.io, deployed);
    else line(ctx.io, `Deployed ${deployed.slug} version ${deployed.version} to ${ref}`);
    return EXIT.ok;
  },
};

const remove: Command = {
  name: 'functions delete',
  usage: 'functions delete <ref> <slug>',
  summary: 'Delete a function and every stored version of it',
  async run(ctx) {
    const ref = requirePositional(ctx, 0, 'project ref');
    const slug = requirePositional(ctx, 1, 'function slug');
    const deps = (await ctx.session()).runtime.deps;
    await deleteFunction(deps, { actor: OPERATOR, input: { ref, slug } });
    line(ctx.io, `Deleted ${slug} from ${ref}`);
    return EXIT.ok;
  },
};

export const functionCommands: Command[] = [list, deploy, remove];
