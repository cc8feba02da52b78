import type { ProjectSecretValues, TemplateVersion } from '../provisioner/template.js';

/**
 * One supported move between template versions. The template version and the Postgres
 * major are separate (docs/adr/0006-template-upgrades.md): a path changes the stack around
 * the database and runs SQL in it, never the data directory's major.
 */
export interface UpgradePath {
  from: TemplateVersion;
  to: TemplateVersion;
  /** The migration, under coolify-templates/supabase/<to>/, run by psql as supabase_admin. */
  migration: string;
  /** Its inverse, run when a later step fails after the migration committed. */
  inverse: string;
  /**
   * Whether the migration changes table data (then a rollback after it also restores the
   * pre-upgrade backup). v1 → v2 changes a database setting and role passwords only, which
   * the inverse puts back; a pg_dump restore would not (roles are cluster-wide, not dumped).
   */
  touchesData: boolean;
  /** psql variables of the migration, from the project's secrets after the upgrade. */
  migrationVars(s: ProjectSecretValues): Record<string, string>;
  /** psql variables of the inverse, from the secrets the old version used. */
  inverseVars(s: ProjectSecretValues): Record<string, string>;
}

const need = (s: ProjectSecretValues, key: keyof ProjectSecretValues): string => {
  const v = s[key];
  if (!v) throw new Error(`the project has no ${key} secret`);
  return v;
};

export const UPGRADE_PATHS: readonly UpgradePath[] = [
  {
    from: 'v1',
    to: 'v2',
    migration: 'upgrade-from-v1.sql',
    inverse: 'rollback-to-v1.sql',
    touchesData: false,
    migrationVars: (s) => ({
      admin_pass: need(s, 'SUPABASE_ADMIN_PASSWORD'),
      authenticator_pass: need(s, 'AUTHENTICATOR_PASSWORD'),
      auth_pass: need(s, 'AUTH_ADMIN_PASSWORD'),
      storage_pass: need(s, 'STORAGE_ADMIN_PASSWORD'),
      pgbouncer_pass: need(s, 'PGBOUNCER_PASSWORD'),
    }),
    inverseVars: (s) => ({
      pgpass: need(s, 'POSTGRES_PASSWORD'),
      jwt_secret: need(s, 'JWT_SECRET'),
    }),
  },
];

export function upgradePath(from: string, to: string): UpgradePath | undefined {
  return UPGRADE_PATHS.find((p) => p.from === from && p.to === to);
}

/** The versions a project on `from` can move to, nearest first. */
export const targetsFrom = (from: string) => UPGRADE_PATHS.filter((p) => p.from === from);
