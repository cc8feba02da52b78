// /version, /servers* and /projects* (ServersController, ProjectController, DestinationsController).
import { stripTags } from './strip-tags.js';
import { gate, validateBody, type Ctx, type RouteDef } from './context.js';
import { json, message, html } from './reply.js';
import {
  apiOrder,
  COOLIFY_VERSION,
  environmentJson,
  projectJson,
  serverJson,
  serviceJson,
} from './serialize.js';
import { createProject, findServer, servicesInProject } from './store.js';
import type { SimServer } from './types.js';

const PROJECT_MESSAGES = {
  'name.regex':
    'The name may only contain letters (including Unicode), numbers, spaces, and these characters: - _ . / @ & ( ) # , : +',
  'name.min': 'The name must be at least 3 characters.',
  'name.max': 'The name may not be greater than 255 characters.',
  'description.regex':
    'The description may only contain letters (including Unicode), numbers, spaces, and common punctuation: - _ . , ! ? ( ) \' " + = * / @ &',
  'description.max': 'The description may not be greater than 255 characters.',
};

function resources(ctx: Ctx, server: SimServer) {
  return [...ctx.core.state.services.values()]
    .filter((s) => s.serverUuid === server.uuid)
    .map((s) =>
      apiOrder({
        id: s.id,
        uuid: s.uuid,
        name: s.name,
        type: 'service',
        created_at: s.created_at,
        updated_at: s.updated_at,
        status: s.status,
      }),
    );
}

const serverNotFound = () => message(404, 'Server not found.');
const projectNotFound = () => message(404, 'Project not found.');

export const coreRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/version',
    ability: 'read',
    handle: () => html(200, COOLIFY_VERSION),
  },
  {
    method: 'GET',
    template: '/servers',
    ability: 'read',
    handle: (ctx) => json(200, ctx.core.state.servers.map(serverJson)),
  },
  {
    method: 'GET',
    template: '/servers/{uuid}',
    ability: 'read',
    handle: (ctx) => {
      const server = findServer(ctx.core.state, ctx.params.uuid!);
      if (!server) return serverNotFound();
      const body: Record<string, unknown> = serverJson(server);
      if (ctx.query.get('resources')) body.resources = resources(ctx, server);
      return json(200, apiOrder(body));
    },
  },
  {
    method: 'GET',
    template: '/servers/{uuid}/resources',
    ability: 'read',
    handle: (ctx) => {
      const server = findServer(ctx.core.state, ctx.params.uuid!);
      return server ? json(200, resources(ctx, server)) : serverNotFound();
    },
  },
  {
    method: 'GET',
    template: '/servers/{server_uuid}/destinations',
    ability: 'read',
    handle: (ctx) => {
      const server = findServer(ctx.core.state, ctx.params.server_uuid!);
      return server
        ? json(
            200,
            server.destinations.map((d) => apiOrder({ ...d })),
          )
        : serverNotFound();
    },
  },
  {
    method: 'GET',
    template: '/projects',
    ability: 'read',
    handle: (ctx) =>
      json(
        200,
        [...ctx.core.state.projects.values()].map((p) =>
          apiOrder({ id: p.id, uuid: p.uuid, name: p.name, description: p.description }),
        ),
      ),
  },
  {
    method: 'POST',
    template: '/projects',
    ability: 'write',
    handle: (ctx) => {
      const failed =
        gate(ctx) ??
        validateBody(ctx, { allowed: ['name', 'description'], messages: PROJECT_MESSAGES });
      if (failed) return failed;
      // HasSafeStringAttribute (app/Models/Project.php:25@379abb25): strip_tags.
      const raw = ctx.body.description as string | null | undefined;
      const description = typeof raw === 'string' ? stripTags(raw) : null;
      const project = createProject(
        ctx.core.state,
        stripTags(ctx.body.name as string),
        description,
      );
      return json(201, { uuid: project.uuid });
    },
  },
  {
    method: 'GET',
    template: '/projects/{uuid}',
    ability: 'read',
    handle: (ctx) => {
      const project = ctx.core.state.projects.get(ctx.params.uuid!);
      return project ? json(200, projectJson(project, true)) : projectNotFound();
    },
  },
  {
    method: 'GET',
    template: '/projects/{uuid}/environments',
    ability: 'read',
    handle: (ctx) => {
      const project = ctx.core.state.projects.get(ctx.params.uuid!);
      if (!project) return projectNotFound();
      return json(
        200,
        project.environments.map((e) => apiOrder({ id: e.id, uuid: e.uuid, name: e.name })),
      );
    },
  },
  {
    method: 'GET',
    template: '/projects/{uuid}/{environment_name_or_uuid}',
    ability: 'read',
    handle: (ctx) => {
      const project = ctx.core.state.projects.get(ctx.params.uuid!);
      if (!project) return projectNotFound();
      const wanted = ctx.params.environment_name_or_uuid!;
      // Looked up by name first, then by uuid.
      const env =
        project.environments.find((e) => e.name === wanted) ??
        project.environments.find((e) => e.uuid === wanted);
      if (!env) return message(404, 'Environment not found.');
      const services = servicesInProject(ctx.core.state, project.uuid)
        .filter((s) => s.environmentUuid === env.uuid)
        .map((s) => serviceJson(ctx.core.state, s, ctx.canReadSensitive));
      const empty = {
        applications: [],
        mariadbs: [],
        mongodbs: [],
        mysqls: [],
        postgresqls: [],
        redis: [],
      };
      return json(200, apiOrder({ ...environmentJson(env), ...empty, services }));
    },
  },
  {
    method: 'DELETE',
    template: '/projects/{uuid}',
    ability: 'write',
    handle: (ctx) => {
      const project = ctx.core.state.projects.get(ctx.params.uuid!);
      if (!project) return projectNotFound();
      // Services queued for deletion still count until DeleteResourceJob removed them.
      if (servicesInProject(ctx.core.state, project.uuid).length > 0)
        return message(400, 'Project has resources, so it cannot be deleted.');
      ctx.core.state.projects.delete(project.uuid);
      return message(200, 'Project deleted.');
    },
  },
];
