import type { CoolifyDestination } from '../coolify/schemas.js';
import { AppError } from '../errors.js';

/**
 * The destination (Docker network) a new stack goes to on a server. Coolify answers 400 to a
 * create without destination_uuid when the server has more than one, and 422 to one that is
 * not the server's (ServicesController.php:659-677@379abb25). Each server gets one standalone
 * destination named and networked `coolify` (or a swarm one on `coolify-overlay`) when it is
 * added (app/Models/Server.php:157-181,1308-1320@379abb25): that one is the default.
 */
export function chooseDestination(
  serverUuid: string,
  destinations: CoolifyDestination[],
  configured: string | undefined,
): string | undefined {
  const names = destinations.map((d) => `${d.uuid} (network ${d.network ?? '?'})`).join(', ');
  if (configured) {
    const match = destinations.find((d) => d.uuid === configured || d.network === configured);
    if (match) return match.uuid;
    throw new AppError(
      'precondition',
      `COOLIFY_DESTINATIONS names "${configured}" for server ${serverUuid}, which has: ${names || 'no destinations'}`,
    );
  }
  if (destinations.length <= 1) return undefined; // Coolify takes the only one itself
  const byDefault = destinations.filter(
    (d) => d.network === 'coolify' || d.network === 'coolify-overlay',
  );
  if (byDefault.length === 1) return byDefault[0]!.uuid;
  throw new AppError(
    'precondition',
    `Coolify server ${serverUuid} has several Docker destinations (${names}); choose one with COOLIFY_DESTINATIONS=${serverUuid}=<destination uuid or network>`,
  );
}
