import type { Deps } from '../context.js';
import type { Project } from '../db/schema/index.js';
import { projectDatabase, type ProjectDatabase } from '../database/project-database.js';
import type { Provisioner } from '../provisioner/provisioner.js';
import { classify } from '../reconciler/decide.js';
import { recordCoolifyAction } from '../reconciler/freshness.js';
import { probeGateway } from '../reconciler/probe.js';
import { loadProjectSecrets } from '../secrets/store.js';
import type { ProjectSecrets } from '../secrets/generate.js';
import { projectGatewayUrl } from '../projects/urls.js';
import type { UpgradePath } from './catalogue.js';
import { composeFor, templatePostgresImage } from './compose.js';
import type { UpgradeState } from './state.js';

export interface StepContext {
  deps: Deps;
  provisioner: Provisioner;
  project: Project;
  state: UpgradeState;
  path: UpgradePath;
  remember(patch: Partial<UpgradeState>): Promise<void>;
}

export type StepResult = { type: 'next' } | { type: 'wait'; delayMs: number; reason: string };
export const next: StepResult = { type: 'next' };

/** A step that cannot succeed: the forward phase rolls back at once instead of retrying. */
export class StepFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepFailed';
  }
}

/** The version the stack is being moved to in this phase. */
export const goal = (s: UpgradeState) => (s.phase === 'forward' ? s.to : s.from);
export const other = (s: UpgradeState) => (s.phase === 'forward' ? s.from : s.to);

export function stackOf(project: Project): string {
  if (!project.coolifyServiceUuid)
    throw new StepFailed(`project ${project.ref} has no Coolify service`);
  return project.coolifyServiceUuid;
}

export async function secretsOf(ctx: StepContext): Promise<ProjectSecrets> {
  const s = await loadProjectSecrets(ctx.deps.db, ctx.deps.keyring, ctx.project.id);
  if (!s) throw new StepFailed(`secrets of project ${ctx.project.ref} are missing`);
  return s;
}

/** The compose of `version` around the database image the project's data was made by. */
export async function projectCompose(project: Project, version: string): Promise<string> {
  const image = project.postgresImage ?? (await templatePostgresImage(project.templateVersion));
  return composeFor(version, image === (await templatePostgresImage(version)) ? null : image);
}

/** Waits (polling) until `check` passes, failing the step once the budget is spent. */
export function waitOr(
  ctx: StepContext,
  what: string,
  detail: string,
  delayMs = ctx.deps.config.SUPAPLANE_UPGRADE_POLL_MS,
): StepResult {
  const budget = ctx.deps.config.SUPAPLANE_UPGRADE_STEP_TIMEOUT_MS;
  if (Date.now() - ctx.state.stepSince > budget) {
    throw new StepFailed(`${what} not within ${Math.round(budget / 1000)} s: ${detail}`);
  }
  return { type: 'wait', delayMs, reason: `${what}: ${detail}` };
}

/** Coolify's status of the stack, classified as the reconciler does. */
async function observed(ctx: StepContext): Promise<{ state: string; raw: string }> {
  const stacks = await ctx.provisioner.observe(ctx.project.serverUuid);
  const raw = stacks.find((s) => s.id === ctx.project.coolifyServiceUuid)?.status;
  return { state: classify(raw), raw: raw ?? 'missing' };
}

export async function stopStack(ctx: StepContext): Promise<StepResult> {
  if (!ctx.state.stopAsked) {
    await recordCoolifyAction(ctx.deps.db, ctx.project.id, 'stop');
    await ctx.provisioner.stop(stackOf(ctx.project));
    await ctx.remember({ stopAsked: true });
  }
  const now = await observed(ctx);
  if (now.state === 'stopped') return next;
  return waitOr(ctx, 'the stack to stop', `Coolify reports ${now.raw}`);
}

export async function startStack(ctx: StepContext): Promise<StepResult> {
  // A start follows our stop, so any `running` Coolify reports after it is the new stack's
  // (reconciler/freshness.ts): no restart-freshness guess is needed.
  await recordCoolifyAction(ctx.deps.db, ctx.project.id, 'start');
  await ctx.provisioner.start(stackOf(ctx.project));
  return next;
}

/** Healthy as the reconciler means it: Coolify says running and our gateway probe passes. */
export async function awaitHealthy(ctx: StepContext): Promise<StepResult> {
  const now = await observed(ctx);
  if (now.state !== 'running') return waitOr(ctx, 'a healthy stack', `Coolify reports ${now.raw}`);
  const secrets = await secretsOf(ctx);
  const gateway = projectGatewayUrl(ctx.deps.config, ctx.project.ref);
  const probe = await probeGateway(gateway, secrets.SUPABASE_ANON_KEY);
  return probe.ok ? next : waitOr(ctx, 'a healthy stack', `gateway probe: ${probe.detail}`);
}

/** The project's database as the stack running `version` exposes it. */
export function databaseAt(ctx: StepContext, version: string): Promise<ProjectDatabase> {
  return projectDatabase(ctx.deps, { ...ctx.project, templateVersion: version });
}
