/**
 * What the lifecycle needs from the platform that runs the containers. The
 * Coolify driver implements it; job handlers and the reconciler depend only on
 * this interface. Every method is safe to call again after a crash or retry.
 */
export interface ProjectGroup {
  organizationSlug: string;
  organizationName: string;
}

export interface ProjectStackSpec {
  ref: string;
  name: string;
  organizationName: string;
  groupId: string;
  serverUuid: string;
  publicUrl: string;
  templateVersion: string;
  env: Record<string, string>;
}

export interface ComposeChange {
  compose: string;
  /** Coolify's `is_container_label_escape_enabled` (false for templates with `$` in labels). */
  labelEscape: boolean;
  replaceFiles: readonly string[];
}

export interface ObservedStack {
  id: string;
  /** The project ref the stack was created for, when its name says so. */
  ref?: string;
  status: string;
}

export interface Provisioner {
  /** The grouping (a Coolify project) for an organization, created when missing. */
  ensureGroup(group: ProjectGroup, knownId: string | null): Promise<string>;
  /** Stacks already created for this ref, oldest first (a resumed create must not make a second). */
  findStacks(groupId: string, ref: string): Promise<string[]>;
  createStack(spec: ProjectStackSpec): Promise<string>;
  /** Upserts env vars; `literal` ones are written single-quoted (no `$` interpolation). */
  applyEnv(
    stackId: string,
    env: Record<string, string>,
    options?: { literal?: boolean },
  ): Promise<void>;
  /** Deletes env vars by key; keys that are not set are ignored. */
  removeEnv(stackId: string, keys: readonly string[]): Promise<void>;
  /**
   * Replaces the stack's compose (a template upgrade or its rollback). Inline files at
   * `replaceFiles` mount paths get the new compose's content; others keep what they have.
   */
  replaceCompose(stackId: string, change: ComposeChange): Promise<void>;
  start(stackId: string): Promise<void>;
  stop(stackId: string): Promise<void>;
  restart(stackId: string): Promise<void>;
  /** Renames a stack so operators recognise it in Coolify; no restart needed. */
  rename(stackId: string, name: string, ref: string): Promise<void>;
  /** Asks for removal with volumes; removal finishes asynchronously. */
  remove(stackId: string): Promise<void>;
  exists(stackId: string): Promise<boolean>;
  /** Whether Coolify can reach and use the server (it skips remote cleanup otherwise). */
  serverUsable(serverUuid: string): Promise<boolean>;
  /** Removes the group when it holds nothing; returns whether it is gone. */
  removeGroupIfEmpty(groupId: string): Promise<boolean>;
  /** Every stack on a server with its status string, from one upstream call. */
  observe(serverUuid: string): Promise<ObservedStack[]>;
}
