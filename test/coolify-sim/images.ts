// Docker images on each server, so tests can see what Coolify's CleanupDocker removes.
// StartService ends in `docker compose up` (app/Actions/Service/StartService.php:45@379abb25),
// which pulls every image of the stack. StopService dispatches CleanupDocker when
// docker_cleanup is true, the default of POST /services/{uuid}/stop and DELETE /services/{uuid}
// (app/Http/Controllers/Api/ServicesController.php:2191-2192,1023-1029@379abb25;
// app/Actions/Service/StopService.php:57-59@379abb25). CleanupDocker `docker rmi`s every image
// that no container uses and that carries no coolify.managed label; stack images do not
// (app/Actions/Server/CleanupDocker.php:53-76,103-130@379abb25).
import type { SimService, SimState } from './types.js';

const imagesOf = (svc: SimService): string[] =>
  [...svc.applications, ...svc.databases].flatMap((s) => (s.image ? [s.image] : []));

export function serverImages(state: SimState, serverUuid: string): Set<string> {
  let set = state.images.get(serverUuid);
  if (!set) state.images.set(serverUuid, (set = new Set()));
  return set;
}

/** `docker compose up` pulls what is missing. */
export function pullImages(state: SimState, svc: SimService): void {
  const set = serverImages(state, svc.serverUuid);
  for (const image of imagesOf(svc)) set.add(image);
}

/** CleanupDocker(server, false, false) run right after `stopped` was stopped. */
export function cleanupDocker(state: SimState, serverUuid: string, stopped: SimService): void {
  const inUse = new Set<string>();
  for (const svc of state.services.values()) {
    if (svc === stopped || svc.serverUuid !== serverUuid) continue;
    if (!/^exited|^stopped/.test(svc.status)) for (const image of imagesOf(svc)) inUse.add(image);
  }
  const set = serverImages(state, serverUuid);
  for (const image of [...set]) if (!inUse.has(image)) set.delete(image);
}
