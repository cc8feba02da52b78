// Coolify's status arithmetic, ported line by line so the simulator reports the strings a real
// Coolify 4.3.11 reports (coollabsio/coolify@379abb25):
// - ContainerStatusAggregator::aggregateFromStrings/resolveStatus
//   (app/Services/ContainerStatusAggregator.php:47-114, 205-275);
// - Service::getStatusAttribute / aggregateResourceStatuses (app/Models/Service.php:233-336).
import type { SimSubResource } from './types.js';

/**
 * ContainerStatusAggregator.php:47-114 + 205-275. Substring tests, in the same order as the
 * PHP, so `running:starting` counts as healthy running (no `unhealthy`/`unknown` in it).
 */
export function aggregateFromStrings(
  statuses: readonly string[],
  { maxRestartCount = 0, preserveRestarting = false } = {},
): string {
  if (statuses.length === 0) return 'exited';
  const has = {
    running: false,
    restarting: false,
    unhealthy: false,
    unknown: false,
    exited: false,
    starting: false,
    paused: false,
    dead: false,
    degraded: false,
  };
  for (const s of statuses) {
    if (s.includes('degraded')) {
      has.degraded = true;
      if (s.includes('unhealthy')) has.unhealthy = true;
    } else if (s.includes('restarting')) has.restarting = true;
    else if (s.includes('running')) {
      has.running = true;
      if (s.includes('unhealthy')) has.unhealthy = true;
      if (s.includes('unknown')) has.unknown = true;
    } else if (s.includes('exited')) has.exited = true;
    else if (s.includes('created') || s.includes('starting')) has.starting = true;
    else if (s.includes('paused')) has.paused = true;
    else if (s.includes('dead') || s.includes('removing')) has.dead = true;
  }
  if (has.degraded) return 'degraded:unhealthy';
  if (has.restarting) return preserveRestarting ? 'restarting:unknown' : 'degraded:unhealthy';
  if (has.exited && maxRestartCount > 0) return 'degraded:unhealthy';
  if (has.running && has.exited) return 'degraded:unhealthy';
  if (has.running && has.starting) return 'starting:unknown';
  if (has.running)
    return has.unhealthy
      ? 'running:unhealthy'
      : has.unknown
        ? 'running:unknown'
        : 'running:healthy';
  if (has.dead) return 'degraded:unhealthy';
  if (has.paused) return 'paused:unknown';
  if (has.starting) return 'starting:unknown';
  return 'exited';
}

/**
 * Service.php:233-276: `starting:unhealthy` while the latest start activity is queued or in
 * progress (isStarting, Service.php:151-162); otherwise the sub-resources' stored statuses,
 * aggregated without preserveRestarting, with the `:excluded` forms when every container is
 * excluded from status.
 */
export function serviceStatus(subs: readonly SimSubResource[], activityRunning: boolean): string {
  if (activityRunning) return 'starting:unhealthy';
  const excluded = (s: SimSubResource) => s.exclude_from_status || s.status.includes(':excluded');
  const counted = subs.filter((s) => !excluded(s)).map((s) => s.status.split(':excluded')[0]!);
  if (counted.length > 0) return aggregateFromStrings(counted);
  const rest = subs.filter(excluded).map((s) => s.status.split(':excluded')[0]!);
  if (rest.length === 0) return 'unknown:unknown:excluded';
  const [status, health] = aggregateFromStrings(rest).split(':');
  return status && health ? `${status}:${health}:excluded` : 'exited';
}
