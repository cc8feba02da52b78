import { generateProjectSecrets } from '../secrets/generate.js';
import { saveProjectSecrets } from '../secrets/store.js';
import { functionSecretsEnv } from '../functions/function-secrets.js';
import { applyStackEnv, projectTemplateEnv } from '../settings/stack-env.js';
import { changedFiles } from './compose.js';
import {
  goal,
  next,
  other,
  projectCompose,
  secretsOf,
  stackOf,
  type StepContext,
  type StepResult,
} from './steps.js';

/**
 * The new version's extra secrets (v2: a password per service role), generated and stored
 * encrypted before anything uses them. Existing values are kept, so a rerun changes nothing
 * and the old version's secrets stay until the upgrade finished (a rollback needs them).
 */
export async function addSecrets(ctx: StepContext): Promise<StepResult> {
  const current = await secretsOf(ctx);
  const fresh = await generateProjectSecrets(ctx.state.to);
  const merged = { ...fresh, ...current };
  if (Object.keys(merged).length !== Object.keys(current).length) {
    await saveProjectSecrets(ctx.deps.db, ctx.deps.keyring, ctx.project.id, merged);
  }
  return next;
}

/** PATCH /services/{uuid} with the phase's compose; changed inline files are replaced. */
export async function replaceCompose(ctx: StepContext): Promise<StepResult> {
  const version = goal(ctx.state);
  const compose = await projectCompose(ctx.project, version);
  const previous = await projectCompose(ctx.project, other(ctx.state));
  await ctx.provisioner.replaceCompose(stackOf(ctx.project), {
    compose,
    // v1 stacks were created with Coolify's default (escaping on); v2's Traefik labels
    // need it off (coolify-driver.ts postService).
    labelEscape: version === 'v1',
    replaceFiles: changedFiles(previous, compose),
  });
  return next;
}

/**
 * The env bulk update for the phase's version: template variables, settings and function
 * secrets under that version's names. The other version's rows are removed, so the stack
 * never starts with variables it does not use (v1's DASHBOARD_PASSWORD, v2's role passwords).
 */
export async function applyEnv(ctx: StepContext): Promise<StepResult> {
  const version = goal(ctx.state);
  const stackId = stackOf(ctx.project);
  const secrets = await secretsOf(ctx);
  const at = { ...ctx.project, templateVersion: version };
  const written = await applyStackEnv(ctx.deps, ctx.provisioner, stackId, at, secrets);
  const functions = await functionSecretsEnv(ctx.deps.db, ctx.deps.keyring, at);
  await ctx.provisioner.applyEnv(stackId, functions, { literal: true });
  const was = { ...ctx.project, templateVersion: other(ctx.state) };
  const stale = [
    ...Object.keys(await projectTemplateEnv(ctx.deps, was, secrets)),
    ...Object.keys(await functionSecretsEnv(ctx.deps.db, ctx.deps.keyring, was)),
  ].filter((k) => !written.has(k) && !(k in functions));
  await ctx.provisioner.removeEnv(stackId, stale);
  return next;
}
