// Bulk seeding for benchmarks: puts thousands of already-running services into the
// simulator's state directly, because creating them through the API would make
// the seeding, not the code under test, dominate the run.
import { createProject, newId, newUuid, now } from './store.js';
import type { SimProject, SimService, SimState } from './types.js';

export interface SeedService {
  name: string;
  serverUuid: string;
  tags: string[];
  status?: string;
}

export function seedProject(state: SimState, name: string): SimProject {
  return createProject(state, name, null);
}

export function seedServices(
  state: SimState,
  project: SimProject,
  services: SeedService[],
): string[] {
  const env = project.environments[0]!;
  const ts = now();
  return services.map((s) => {
    const server = state.servers.find((x) => x.uuid === s.serverUuid);
    if (!server) throw new Error(`coolify-sim seed: no server ${s.serverUuid}`);
    const svc: SimService = {
      id: newId(),
      uuid: newUuid(),
      name: s.name,
      description: null,
      projectUuid: project.uuid,
      environmentUuid: env.uuid,
      serverUuid: server.uuid,
      destinationUuid: server.destinations[0]!.uuid,
      compose: '',
      docker_compose_raw: '',
      tags: s.tags,
      status: s.status ?? 'running:healthy',
      envs: new Map(),
      applications: [],
      databases: [],
      urls: [],
      connect_to_docker_network: false,
      is_container_label_escape_enabled: true,
      deleting: null,
      deleteRequests: [],
      actions: ['start'],
      created_at: ts,
      updated_at: ts,
    };
    state.services.set(svc.uuid, svc);
    return svc.uuid;
  });
}
