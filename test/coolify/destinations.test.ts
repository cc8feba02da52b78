import { afterEach, describe, expect, it } from 'vitest';
import { chooseDestination } from '../../src/provisioner/destination.js';
import { createProject } from '../../src/projects/projects.js';
import { startHarness, type Harness } from '../support/harness.js';

const actor = { id: 'test' };
let h: Harness;
afterEach(async () => h?.close());

// ServicesController.php:659-677@379abb25: 400 without destination_uuid on a server with
// several destinations, 422 for one that is not the server's.
describe('D3: servers with several Docker networks (ServicesController.php:659-677@379abb25)', () => {
  it('creates on the server’s default `coolify` network when it has several', async () => {
    h = await startHarness({ sim: { servers: [{ destinations: 3 }] } });
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Two networks' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const server = h.sim.state.servers[0]!;
    const [svc] = h.sim.servicesByTag(p.ref);
    expect(server.destinations.find((d) => d.uuid === svc!.destinationUuid)?.network).toBe(
      'coolify',
    );
    const create = h.sim.calls.find((c) => c.route === '/services' && c.method === 'POST');
    expect((create!.body as { destination_uuid?: string }).destination_uuid).toBe(
      svc!.destinationUuid,
    );
  });

  it('uses the destination COOLIFY_DESTINATIONS names for the server, by network or uuid', async () => {
    h = await startHarness({ sim: { servers: [{ destinations: 3 }, { destinations: 2 }] } });
    const [a, b] = h.sim.state.servers;
    h.deps.config.COOLIFY_DESTINATIONS[a!.uuid] = 'coolify-2';
    h.deps.config.COOLIFY_DESTINATIONS[b!.uuid] = b!.destinations[1]!.uuid;
    const refs = await Promise.all(
      ['on a', 'on b'].map(async (name, i) => {
        const p = await createProject(h.deps, {
          actor,
          input: { organizationId: h.org.id, name, serverUuid: [a, b][i]!.uuid },
        });
        return p.ref;
      }),
    );
    for (const ref of refs) await h.settle(ref, 'ACTIVE_HEALTHY');
    const dest = (ref: string) => h.sim.servicesByTag(ref)[0]!.destinationUuid;
    expect(dest(refs[0]!)).toBe(a!.destinations[2]!.uuid);
    expect(dest(refs[1]!)).toBe(b!.destinations[1]!.uuid);
  });

  it('says what to set when no destination is the default, instead of a bare 400', () => {
    const two = [
      { uuid: 'd1', network: 'net-a' },
      { uuid: 'd2', network: 'net-b' },
    ];
    expect(() => chooseDestination('srv', two, undefined)).toThrow(
      /COOLIFY_DESTINATIONS=srv=<destination uuid or network>/,
    );
    expect(() => chooseDestination('srv', two, 'nope')).toThrow(/names "nope" for server srv/);
    expect(chooseDestination('srv', two, 'net-b')).toBe('d2');
    expect(chooseDestination('srv', [two[0]!], undefined)).toBeUndefined();
  });
});
