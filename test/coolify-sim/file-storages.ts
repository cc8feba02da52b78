// File mounts with inline `content:` (LocalFileVolume rows) and the two storage routes the
// upgrade job uses. What matters, from Coolify 379abb25:
// - serviceParser keeps the STORED content of a mount path it already knows: a PATCH with a
//   changed `content:` for an existing target changes nothing (parsers.php:2187-2190), and the
//   updateOrCreate that follows (parsers.php:2216-2229) fires no `created` event, so nothing is
//   written to the server (LocalFileVolume.php:54-61: only `created` dispatches
//   ServerStorageSaveJob).
// - A new mount path gets a row with the compose's content, written to the server by
//   ServerStorageSaveJob (here at once: the simulator has no separate storage queue).
// - GET /services/{uuid}/storages lists applications' then databases' rows
//   (ServicesController.php:2348-2390); DELETE /services/{uuid}/storages/{storage_uuid} refuses a
//   read-only one with 422, removes the file from the server and the row
//   (ServicesController.php:2908-2985).
import type { RouteDef } from './context.js';
import { json, message } from './reply.js';
import { findService } from './routes-services.js';
import { newId, newUuid, now } from './store.js';
import type { SimService, SimSubResource } from './types.js';

export interface SimFileStorage {
  id: number;
  uuid: string;
  mount_path: string;
  fs_path: string;
  content: string | null;
  is_directory: boolean;
  /** The compose service (sub-resource) it belongs to. */
  resource: string;
  read_only: boolean;
  created_at: string;
  updated_at: string;
}

type Volume = {
  type?: unknown;
  source?: unknown;
  target?: unknown;
  content?: unknown;
  read_only?: unknown;
};

/** The long-syntax bind mounts of one compose service. */
function bindMounts(def: Record<string, unknown>): Volume[] {
  const volumes = Array.isArray(def.volumes) ? def.volumes : [];
  return volumes.filter(
    (v): v is Volume => typeof v === 'object' && v !== null && (v as Volume).type === 'bind',
  );
}

/** The serviceParser part for bind mounts of `sub`'s compose definition. */
export function parseFileMounts(
  svc: SimService,
  sub: SimSubResource,
  def: Record<string, unknown>,
): void {
  svc.fileStorages ??= [];
  svc.hostFiles ??= new Map();
  for (const v of bindMounts(def)) {
    const target = String(v.target ?? '');
    const source = String(v.source ?? '');
    if (!target || source === '/var/run/docker.sock') continue;
    const found = svc.fileStorages.find((f) => f.resource === sub.name && f.mount_path === target);
    if (found) {
      found.read_only = v.read_only === true;
      continue; // stored content wins (parsers.php:2187-2190)
    }
    const content = typeof v.content === 'string' ? v.content : null;
    const ts = now();
    svc.fileStorages.push({
      id: newId(),
      uuid: newUuid(),
      mount_path: target,
      fs_path: source.replace(/^\.\//, `/data/coolify/services/${svc.uuid}/`),
      content,
      is_directory: content === null,
      resource: sub.name,
      read_only: v.read_only === true,
      created_at: ts,
      updated_at: ts,
    });
    if (content !== null) svc.hostFiles.set(`${sub.name}:${target}`, content);
  }
}

const storageJson = (svc: SimService, f: SimFileStorage) => {
  const sub = [...svc.applications, ...svc.databases].find((s) => s.name === f.resource);
  const { resource: _resource, read_only: _ro, ...row } = f;
  return {
    ...row,
    resource_uuid: sub?.uuid ?? null,
    resource_type: sub?.kind === 'database' ? 'database' : 'application',
  };
};

export const storageRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/services/{uuid}/storages',
    ability: 'read',
    handle: (ctx) => {
      const svc = findService(ctx);
      if (!('uuid' in svc)) return svc;
      const files = (svc.fileStorages ?? []).map((f) => storageJson(svc, f));
      return json(200, { persistent_storages: [], file_storages: files });
    },
  },
  {
    method: 'DELETE',
    template: '/services/{uuid}/storages/{storage_uuid}',
    ability: 'write',
    handle: (ctx) => {
      const svc = findService(ctx);
      if (!('uuid' in svc)) return svc;
      const files = svc.fileStorages ?? [];
      const f = files.find((s) => s.uuid === ctx.params.storage_uuid);
      if (!f) return message(404, 'Storage not found.');
      if (f.read_only) {
        return message(
          422,
          'This storage is read-only (managed by docker-compose or service definition) and cannot be deleted.',
        );
      }
      svc.hostFiles?.delete(`${f.resource}:${f.mount_path}`);
      files.splice(files.indexOf(f), 1);
      return message(200, 'Storage deleted.');
    },
  },
];
