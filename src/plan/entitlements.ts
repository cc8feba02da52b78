/**
 * Every entitlement key Supabase's API knows: the `feature.key` enum of
 * `ListEntitlementsResponse` (Studio types `useCheckEntitlements`' key with it:
 * data/entitlements/entitlements.constants.ts@11e53cfb `satisfies Record<string,
 * FeatureKey>`). In platform mode a key missing from the answer reads as "no access"
 * (hooks/misc/useCheckEntitlements.ts@0083f48f: `entitlement?.hasAccess ?? false`),
 * which for example disables the Pause button (`project_pausing`). A self-hosted
 * Supaplane has no plans, so every key is granted.
 */
export const ENTITLEMENT_KEYS = [
  'api.members.invitations',
  'api.members.roles',
  'assistant.advance_model',
  'audit_log_drains',
  'auth.advanced_auth_settings',
  'auth.custom_jwt_template',
  'auth.custom_oauth.max_providers',
  'auth.hooks',
  'auth.leaked_password_protection',
  'auth.mfa_enhanced_security',
  'auth.mfa_phone',
  'auth.mfa_web_authn',
  'auth.password_hibp',
  'auth.performance_settings',
  'auth.platform.sso',
  'auth.saml_2',
  'auth.user_sessions',
  'backup.restore_to_new_project',
  'backup.retention_days',
  'backup.schedule',
  'branching_limit',
  'branching_persistent',
  'custom_domain',
  'dedicated_pooler',
  'function.max_count',
  'function.size_limit_mb',
  'instances.compute_update_available_sizes',
  'instances.disk_modifications',
  'instances.high_availability',
  'instances.orioledb',
  'instances.read_replicas',
  'integrations.github_connections',
  'integrations.github_push_webhooks_limit',
  'ipv4',
  'log.retention_days',
  'log_drains',
  'observability.dashboard_advanced_metrics',
  'pitr.available_variants',
  'project_cloning',
  'project_pausing',
  'project_restore_after_expiry',
  'project_scoped_roles',
  'realtime.max_bytes_per_second',
  'realtime.max_channels_per_client',
  'realtime.max_concurrent_users',
  'realtime.max_events_per_second',
  'realtime.max_joins_per_second',
  'realtime.max_payload_size_in_kb',
  'realtime.max_presence_events_per_second',
  'replication.etl',
  'security.audit_logs_days',
  'security.enforce_mfa',
  'security.iso27001_certificate',
  'security.member_roles',
  'security.private_link',
  'security.questionnaire',
  'security.soc2_report',
  'storage.iceberg_catalog',
  'storage.image_transformations',
  'storage.max_file_size',
  'storage.max_file_size.configurable',
  'storage.purge_cache',
  'storage.vector_buckets',
  'vanity_subdomain',
] as const;

export type EntitlementConfig =
  | { enabled: boolean }
  | { enabled: boolean; unlimited: boolean; value: number }
  | { enabled: boolean; set: string[] };

export interface Entitlement {
  feature: { key: string };
  hasAccess: boolean;
  type: 'boolean' | 'numeric' | 'set';
  config: EntitlementConfig;
}

// Keys read through getEntitlementSetValues: the values each may take here.
const SETS: Record<string, string[]> = {
  // Template v1 runs one size; Studio's compute picker lists only this one.
  'instances.compute_update_available_sizes': ['ci_nano'],
  // No point-in-time recovery.
  'pitr.available_variants': [],
};

// Keys read through getEntitlementNumericValue / isEntitlementUnlimited: a count or
// limit. Retention windows (audit log, logs) are read as days: ten years.
const isNumeric = (key: string) =>
  /(^|\.|_)max_|_days$|_limit$|_mb$|_kb$|max_count$|max_providers$/.test(key);

function entitlement(key: string): Entitlement {
  const set = SETS[key];
  if (set)
    return {
      feature: { key },
      hasAccess: true,
      type: 'set',
      config: { enabled: true, set },
    };
  if (isNumeric(key)) {
    return {
      feature: { key },
      hasAccess: true,
      type: 'numeric',
      config: { enabled: true, unlimited: true, value: key.endsWith('_days') ? 3650 : 0 },
    };
  }
  return {
    feature: { key },
    hasAccess: true,
    type: 'boolean',
    config: { enabled: true },
  };
}

/** `GET /platform/organizations/{slug}/entitlements`'s body. */
export const ALL_ENTITLEMENTS: { entitlements: Entitlement[] } = {
  entitlements: ENTITLEMENT_KEYS.map(entitlement),
};
