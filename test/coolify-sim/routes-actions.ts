// POST /services/{uuid}/start|stop|restart (ability `deploy`) and the GET → 405 stubs that
// routes/api.php registers for them (OtherController::post_required).
import type { Ctx, RouteDef } from './context.js';
import { cleanupDocker, pullImages } from './images.js';
import { json, message, type Reply } from './reply.js';
import { findService } from './routes-services.js';
import { queryBoolean } from './validation.js';

function start(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  // Any status containing "running" (also running:unhealthy) counts as running.
  if (svc.status.includes('running')) return message(400, 'Service is already running.');
  // Queued (ServicesController.php:2095): the job re-parses, writes .env and runs compose.
  svc.actions.push('start');
  ctx.core.lifecycle.start(svc);
  pullImages(ctx.core.state, svc);
  return message(200, 'Service starting request queued.');
}

function stop(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  if (svc.status.includes('stopped') || svc.status.includes('exited'))
    return message(400, 'Service is already stopped.');
  svc.actions.push('stop');
  ctx.core.lifecycle.stop(svc);
  if (queryBoolean(ctx.query.get('docker_cleanup'), true))
    cleanupDocker(ctx.core.state, svc.serverUuid, svc);
  return message(200, 'Service stopping request queued.');
}

function restart(ctx: Ctx): Reply {
  const svc = findService(ctx);
  if (!('uuid' in svc)) return svc;
  // Queued (ServicesController.php:2286), no status precondition.
  svc.actions.push('restart');
  ctx.core.lifecycle.restart(svc);
  pullImages(ctx.core.state, svc);
  return message(200, 'Service restarting request queued.');
}

const postRequired = (): Reply =>
  json(405, { message: 'This endpoint has changed to a POST request.' }, { Allow: 'POST' });

export const actionRoutes: RouteDef[] = [
  { method: 'POST', template: '/services/{uuid}/start', ability: 'deploy', handle: start },
  { method: 'POST', template: '/services/{uuid}/stop', ability: 'deploy', handle: stop },
  { method: 'POST', template: '/services/{uuid}/restart', ability: 'deploy', handle: restart },
  ...['start', 'stop', 'restart'].map((action): RouteDef => ({
    method: 'GET',
    template: `/services/{uuid}/${action}`,
    ability: 'deploy',
    handle: postRequired,
  })),
];
