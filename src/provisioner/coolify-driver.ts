import type { CoolifyClient } from '../coolify/client.js';
import { domainConflictSchema } from '../coolify/schemas.js';
import { CoolifyError } from '../coolify/errors.js';
import type {
  ComposeChange,
  ObservedStack,
  ProjectGroup,
  ProjectStackSpec,
  Provisioner,
} from './provisioner.js';
import { chooseDestination } from './destination.js';
import { encodeCompose, loadTemplate } from './template.js';

const ENVIRONMENT = 'production';
export const MANAGED_TAG = 'supaplane';

/** Coolify project names allow letters, digits, spaces and -_.@/&()#,:+ only (3–255 chars). */
export function coolifyProjectName(group: ProjectGroup): string {
  const clean = (s: string) => s.replace(/[^\p{L}\p{N} \-_.@/&()#,:+]/gu, '-').trim();
  return `Supabase: ${clean(group.organizationName)} (${clean(group.organizationSlug)})`.slice(
    0,
    255,
  );
}

// Descriptions allow letters, digits, spaces and -_.,!?()'"+=*/@& only (≤255 chars).
export function coolifyDescription(text: string): string {
  return text.replace(/[^\p{L}\p{N} \-_.,!?()'"+=*/@&]/gu, ' ').slice(0, 255);
}

/**
 * Coolify strip_tags()s service names (app/Traits/HasSafeStringAttribute.php@379abb25): a `<`
 * followed by anything but a space starts a "tag" that runs to the next `>` or the end, so
 * "a <b" would lose the " (ref)" suffix. Look-alike angle quotes keep the name readable.
 */
export const stackName = (name: string, ref: string) =>
  `${name.slice(0, 230).replace(/</g, '‹').replace(/>/g, '›')} (${ref})`;
/** The ref in a stack name made by `stackName`, if any. */
export const refOfStackName = (name: string) => /\(([a-z]{20})\)$/.exec(name)?.[1];

const is = (err: unknown, status: number, text: RegExp) =>
  err instanceof CoolifyError && err.status === status && text.test(err.message);

export interface CoolifyProvisionerOptions {
  /** server uuid → destination uuid or network name (COOLIFY_DESTINATIONS). */
  destinations?: Record<string, string>;
}

export class CoolifyProvisioner implements Provisioner {
  constructor(
    private readonly coolify: CoolifyClient,
    private readonly options: CoolifyProvisionerOptions = {},
  ) {}

  async ensureGroup(group: ProjectGroup, knownId: string | null): Promise<string> {
    if (knownId) return knownId;
    const name = coolifyProjectName(group);
    const existing = (await this.coolify.listProjects()).find((p) => p.name === name);
    if (existing) return existing.uuid;
    const created = await this.coolify.createProject({
      name,
      description: coolifyDescription(
        `Supabase projects of the organization ${group.organizationName}, managed by Supaplane`,
      ),
    });
    return created.uuid;
  }

  /**
   * A stack is ours for `ref` when it carries the ref tag (POST /services attaches it). A name
   * with our "(ref)" suffix settles it without a call; one with another ref's suffix is that
   * project's. Any other name (renamed in Coolify, or cut by strip_tags before names were
   * escaped) is asked about with GET /services/{uuid}/tags (routes/api.php:377@379abb25).
   */
  async findStacks(groupId: string, ref: string): Promise<string[]> {
    const env = await this.coolify.environment(groupId, ENVIRONMENT);
    const found: string[] = [];
    for (const s of env.services) {
      const named = refOfStackName(s.name ?? '');
      if (named === ref) found.push(s.uuid);
      else if (named === undefined && (await this.hasTag(s.uuid, ref))) found.push(s.uuid);
    }
    return found;
  }

  private async hasTag(stackId: string, tag: string): Promise<boolean> {
    try {
      return (await this.coolify.serviceTags(stackId)).some((t) => t.name === tag);
    } catch (err) {
      if (is(err, 404, /not found/i)) return false; // deleted meanwhile
      throw err;
    }
  }

  async createStack(spec: ProjectStackSpec): Promise<string> {
    try {
      return await this.postService(spec);
    } catch (err) {
      const adopted = await this.adoptConflicting(spec, err);
      if (adopted) return adopted;
      throw err;
    }
  }

  private async postService(spec: ProjectStackSpec): Promise<string> {
    const compose = await loadTemplate(spec.templateVersion);
    const host = new URL(spec.publicUrl).host;
    const destination = chooseDestination(
      spec.serverUuid,
      await this.coolify.serverDestinations(spec.serverUuid),
      this.options.destinations?.[spec.serverUuid],
    );
    const created = await this.coolify.createService({
      project_uuid: spec.groupId,
      server_uuid: spec.serverUuid,
      // Omitted, not null, when Coolify needs none: the rule is 'string' (ServicesController.php:596).
      ...(destination ? { destination_uuid: destination } : {}),
      environment_name: ENVIRONMENT,
      docker_compose_raw: encodeCompose(compose),
      name: stackName(spec.name, spec.ref),
      description: coolifyDescription(
        `Supabase project ${spec.ref} of ${spec.organizationName}. Managed by Supaplane - change it there, not here (its env is overwritten).`,
      ),
      instant_deploy: false,
      // The port tells Coolify's proxy to route to Kong's container port 8000.
      urls: [{ name: 'supabase-kong', url: `https://${host}:8000` }],
      tags: [MANAGED_TAG, spec.ref],
      // v2's Traefik TCP labels name the project (ref and database host) through
      // variables; Coolify would escape their `$` (parsers.php:2623-2630@379abb25).
      ...(spec.templateVersion === 'v1' ? {} : { is_container_label_escape_enabled: false }),
    });
    return created.uuid;
  }

  /**
   * A create whose reply was lost may have made the service after all: a second POST with the
   * same `urls` then gets 409, naming the service application that holds our URL
   * (ServicesController.php:729-745, domains.php:283-303@379abb25; Coolify soft-deletes the
   * second service). If that application belongs to a service in our group, it is ours: adopt
   * it. A URL held anywhere else stays a failure, with Coolify's message.
   */
  private async adoptConflicting(spec: ProjectStackSpec, err: unknown): Promise<string | null> {
    if (!(err instanceof CoolifyError) || err.status !== 409) return null;
    const parsed = domainConflictSchema.safeParse(err.body);
    if (!parsed.success) return null;
    const ours = `https://${new URL(spec.publicUrl).host}:8000`;
    const held = parsed.data.conflicts.filter(
      (c) => c.resource_type === 'service' && c.domain.toLowerCase() === ours,
    );
    if (!held.length) return null;
    const env = await this.coolify.environment(spec.groupId, ENVIRONMENT);
    const owner = env.services.find((s) =>
      (s.applications ?? []).some((a) => held.some((c) => c.resource_uuid === a.uuid)),
    );
    return owner?.uuid ?? null;
  }

  async applyEnv(
    stackId: string,
    env: Record<string, string>,
    options: { literal?: boolean } = {},
  ): Promise<void> {
    const data = Object.entries(env).map(([key, value]) => ({
      key,
      value,
      is_literal: options.literal ?? false,
    }));
    if (data.length) await this.coolify.upsertEnvs(stackId, data);
  }

  async removeEnv(stackId: string, keys: readonly string[]): Promise<void> {
    if (!keys.length) return;
    const wanted = new Set(keys);
    for (const env of await this.coolify.listEnvs(stackId)) {
      if (!wanted.has(env.key) || !env.uuid) continue;
      await this.coolify.deleteEnv(stackId, env.uuid).catch((err: unknown) => {
        if (!is(err, 404, /not found/i)) throw err; // deleted meanwhile: the goal is met
      });
    }
  }

  /**
   * Coolify keeps the stored content of a file mount it already knows when it re-parses a
   * compose (parsers.php:2187-2190@379abb25) and writes a file to the server only when its row
   * is created (LocalFileVolume.php:54-61); PATCH /services/{uuid}/storages saves the row alone
   * (ServicesController.php:2859). So a changed file is deleted first (row and file,
   * ServicesController.php:2908-2985), and the PATCH that follows re-creates it with the new
   * content. Safe to repeat: a second run deletes and re-creates the same new content.
   */
  async replaceCompose(stackId: string, change: ComposeChange): Promise<void> {
    if (change.replaceFiles.length) {
      const wanted = new Set(change.replaceFiles);
      const { file_storages: files } = await this.coolify.serviceStorages(stackId);
      for (const file of files.filter((f) => wanted.has(f.mount_path))) {
        await this.coolify.deleteStorage(stackId, file.uuid).catch((err: unknown) => {
          if (!is(err, 404, /not found/i)) throw err;
        });
      }
    }
    await this.coolify.updateService(stackId, {
      docker_compose_raw: encodeCompose(change.compose),
      is_container_label_escape_enabled: change.labelEscape,
    });
  }

  async start(stackId: string): Promise<void> {
    await this.coolify.startService(stackId).catch((err: unknown) => {
      if (!is(err, 400, /already running/i)) throw err;
    });
  }

  async stop(stackId: string): Promise<void> {
    // No docker cleanup: it would `docker rmi` every image no running container uses, this
    // paused stack's ones included (CleanupDocker.php:53-76,103-130@379abb25), so the restore
    // would pull ~9 images again and may hit Docker Hub's pull limit.
    await this.coolify.stopService(stackId, { dockerCleanup: false }).catch((err: unknown) => {
      if (!is(err, 400, /already stopped/i)) throw err;
    });
  }

  async rename(stackId: string, name: string, ref: string): Promise<void> {
    // The "(ref)" suffix stays: findStacks and observe recognise our stacks by it.
    await this.coolify.updateService(stackId, { name: stackName(name, ref) });
  }

  async restart(stackId: string): Promise<void> {
    await this.coolify.restartService(stackId);
  }

  async remove(stackId: string): Promise<void> {
    // Every flag explicitly: deleting a project means its data goes too. No docker cleanup:
    // it is server-wide (StopService.php:57-59, CleanupDocker.php:103-130@379abb25) and would
    // remove the images of every other paused project on the server.
    await this.coolify
      .deleteService(stackId, {
        delete_configurations: true,
        delete_volumes: true,
        docker_cleanup: false,
        delete_connected_networks: true,
      })
      .catch((err: unknown) => {
        if (!is(err, 404, /not found/i)) throw err;
      });
  }

  async exists(stackId: string): Promise<boolean> {
    try {
      await this.coolify.getService(stackId);
      return true;
    } catch (err) {
      if (is(err, 404, /not found/i)) return false;
      throw err;
    }
  }

  async serverUsable(serverUuid: string): Promise<boolean> {
    const server = (await this.coolify.listServers()).find((s) => s.uuid === serverUuid);
    return !!server && server.is_reachable !== false && server.is_usable !== false;
  }

  async removeGroupIfEmpty(groupId: string): Promise<boolean> {
    try {
      await this.coolify.deleteProject(groupId);
      return true;
    } catch (err) {
      if (is(err, 404, /not found/i)) return true;
      if (is(err, 400, /has resources/i)) return false;
      throw err;
    }
  }

  async observe(serverUuid: string): Promise<ObservedStack[]> {
    const resources = await this.coolify.serverResources(serverUuid);
    return resources
      .filter((r) => r.type === 'service')
      .map((r) => ({
        id: r.uuid,
        ref: refOfStackName(r.name ?? ''),
        status: r.status ?? 'unknown',
      }));
  }
}
