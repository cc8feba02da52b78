// The Management API's upgrade endpoints (openapi-v1.json: v1-upgrade-postgres-version,
// v1-get-postgres-upgrade-eligibility, v1-get-postgres-upgrade-status), which Studio's
// pinned hooks call for its upgrade page: apps/studio/data/projects/project-upgrade-mutation.ts
// (POST /v1/projects/{ref}/upgrade, body { target_version: String(postgres_version) }),
// data/config/project-upgrade-eligibility-query.ts and project-upgrade-status-query.ts
// (GET …/upgrade/eligibility, GET …/upgrade/status?tracking_id=…) in supabase/supabase.
// Cloud's upgrade is a Postgres major upgrade; Supaplane's is a template upgrade that keeps
// the major (ADR 0006), so `postgres_version` is always the project's own major and the
// template is named in `app_version`.
import type { Deps } from '../context.js';
import type { Project } from '../db/schema/index.js';
import { invalid } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { requireProject } from '../members/access.js';
import { targetsFrom } from './catalogue.js';
import { templatePostgresImage } from './compose.js';
import { latestTarget, startUpgrade, upgradeProgress } from './service.js';
import type { UpgradeStep } from './state.js';

async function postgresTag(p: Project): Promise<string> {
  return (p.postgresImage ?? (await templatePostgresImage(p.templateVersion))).split(':')[1]!;
}
const major = (tag: string) => tag.split('.')[0]!;
/** Studio shows the part after `supabase-postgres-` (its upgrade page splits on it). */
const appVersion = (template: string, tag: string) =>
  `supaplane-${template}-supabase-postgres-${tag}`;

export async function v1UpgradeEligibility(deps: Deps, actor: Principal, ref: string) {
  const { project } = await requireProject(deps, actor, ref, 'read');
  const tag = await postgresTag(project);
  const targets = targetsFrom(project.templateVersion).map((p) => ({
    postgres_version: major(tag),
    release_channel: 'ga' as const,
    app_version: appVersion(p.to, tag),
  }));
  const latest = latestTarget(project.templateVersion) ?? project.templateVersion;
  return {
    eligible: targets.length > 0 && project.status === 'ACTIVE_HEALTHY',
    current_app_version: appVersion(project.templateVersion, tag),
    current_app_version_release_channel: 'ga' as const,
    latest_app_version: appVersion(latest, tag),
    target_upgrade_versions: targets,
    duration_estimate_hours: 0.25,
    legacy_auth_custom_roles: [] as string[],
    objects_to_be_dropped: [] as string[],
    unsupported_extensions: [] as string[],
    user_defined_objects_in_internal_schemas: [] as string[],
    validation_errors: [] as never[],
  };
}

/** `target_version`: a template (`v2`), an `app_version` from eligibility, or the project's own Postgres major. */
async function targetTemplate(project: Project, target: string): Promise<string | undefined> {
  if (/^v\d+$/.test(target)) return target;
  const m = /^supaplane-(v\d+)-/.exec(target);
  if (m) return m[1];
  const tag = await postgresTag(project);
  if (target === major(tag)) return latestTarget(project.templateVersion);
  throw invalid(
    `Postgres ${target} is not offered: an upgrade keeps the project's Postgres ${major(tag)} (a major upgrade is a separate step, not available yet)`,
  );
}

export async function v1StartUpgrade(
  deps: Deps,
  actor: Principal,
  ref: string,
  body: { target_version: string },
) {
  const { project } = await requireProject(deps, actor, ref, 'admin');
  const to = await targetTemplate(project, body.target_version);
  const { job } = await startUpgrade(deps, { actor: { id: actor.userId }, input: { ref, to } });
  return { tracking_id: job.id };
}

/** Cloud's `DatabaseUpgradeProgress` stage each step corresponds to. */
const PROGRESS: Record<UpgradeStep, string> = {
  backup: '1_started',
  secrets: '1_started',
  stop: '2_launched_upgraded_instance',
  compose: '2_launched_upgraded_instance',
  env: '2_launched_upgraded_instance',
  start: '2_launched_upgraded_instance',
  'await-db': '2_launched_upgraded_instance',
  'deferred-backup': '2_launched_upgraded_instance',
  migrate: '5_initiated_data_upgrade',
  'await-healthy': '6_completed_data_upgrade',
  unmigrate: '6_completed_data_upgrade',
  finish: '9_completed_upgrade',
};
const ERROR: Partial<Record<UpgradeStep, string>> = {
  migrate: '5_data_upgrade_completion_failed',
  'await-healthy': '8_upgrade_completion_failed',
};

/**
 * `DatabaseUpgradeStatus` of @supabase/shared-types (`out/events`): a numeric enum
 * `{ Upgrading, Upgraded, Failed }`, so 0, 1, 2, beside the string enums
 * `DatabaseUpgradeProgress` and `DatabaseUpgradeError` used above. Studio refetches while
 * it is `Upgrading` (project-upgrade-status-query.ts).
 */
export const DATABASE_UPGRADE_STATUS = { Upgrading: 0, Upgraded: 1, Failed: 2 } as const;

export async function v1UpgradeStatus(
  deps: Deps,
  actor: Principal,
  ref: string,
  trackingId?: string,
) {
  await requireProject(deps, actor, ref, 'read');
  const { project, progress } = await upgradeProgress(deps, ref, trackingId);
  if (!progress) return { databaseUpgradeStatus: null };
  const { job, state, outcome } = progress;
  const status =
    outcome === 'running'
      ? DATABASE_UPGRADE_STATUS.Upgrading
      : outcome === 'succeeded'
        ? DATABASE_UPGRADE_STATUS.Upgraded
        : DATABASE_UPGRADE_STATUS.Failed;
  const failedAt = state.failedStep;
  return {
    databaseUpgradeStatus: {
      initiated_at: job.createdAt.toISOString(),
      latest_status_at: job.updatedAt.toISOString(),
      target_version: Number(major(await postgresTag(project))),
      status,
      progress: state.phase === 'forward' ? PROGRESS[state.step] : PROGRESS[failedAt ?? 'finish'],
      ...(failedAt ? { error: ERROR[failedAt] ?? '1_upgraded_instance_launch_failed' } : {}),
    },
  };
}
