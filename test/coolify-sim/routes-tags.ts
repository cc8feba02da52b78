// GET /services/{uuid}/tags (routes/api.php:377@379abb25): ServicesController::tags →
// HandlesTagsApi::listTags (app/Http/Controllers/Api/Concerns/HandlesTagsApi.php:23-38), each
// tag as TagsController::serializeTag (TagsController.php:15-23@379abb25).
import type { RouteDef } from './context.js';
import { json } from './reply.js';
import { findService } from './routes-services.js';
import { newUuid, now } from './store.js';

// Tags are team-wide rows: one uuid per name, kept for the simulator's lifetime.
const tagRows = new Map<string, { uuid: string; created_at: string }>();
const tagRow = (name: string) => {
  let row = tagRows.get(name);
  if (!row) tagRows.set(name, (row = { uuid: newUuid(), created_at: now() }));
  return { uuid: row.uuid, name, created_at: row.created_at, updated_at: row.created_at };
};

export const tagRoutes: RouteDef[] = [
  {
    method: 'GET',
    template: '/services/{uuid}/tags',
    ability: 'read',
    handle: (ctx) => {
      const svc = findService(ctx);
      return 'uuid' in svc ? json(200, [...svc.tags].sort().map(tagRow)) : svc;
    },
  },
];
