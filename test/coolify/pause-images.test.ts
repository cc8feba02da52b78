import { afterEach, describe, expect, it } from 'vitest';
import { createProject, deleteProject, pauseProject } from '../../src/projects/projects.js';
import { startHarness, type Harness } from '../support/harness.js';

const actor = { id: 'test' };
let h: Harness;
afterEach(async () => h?.close());

// StopService.php:57-59@379abb25 runs CleanupDocker when docker_cleanup is not false;
// CleanupDocker.php:103-130@379abb25 removes every image no running container uses.
describe('D4: pause and delete leave images in place (CleanupDocker.php:103-130@379abb25)', () => {
  it('a pause, then a delete of another project, leaves every image of both stacks on the server', async () => {
    h = await startHarness({ sim: { servers: [{}] } });
    const create = (name: string) =>
      createProject(h.deps, { actor, input: { organizationId: h.org.id, name } });
    const [a, b] = await Promise.all([create('images a'), create('images b')]);
    await h.settle(a.ref, 'ACTIVE_HEALTHY');
    await h.settle(b.ref, 'ACTIVE_HEALTHY');
    const server = h.sim.state.servers[0]!.uuid;
    const images = () => [...(h.sim.state.images.get(server) ?? [])].sort();
    const before = images();
    expect(before.length).toBeGreaterThan(5);

    await pauseProject(h.deps, { actor, input: { ref: a.ref } });
    await h.settle(a.ref, 'INACTIVE');
    expect(h.sim.calls.find((c) => c.route === '/services/{uuid}/stop')?.query).toEqual({
      docker_cleanup: 'false',
    });
    expect(images()).toEqual(before);

    // Deleting b while a is paused must not prune a's images either.
    await deleteProject(h.deps, { actor, input: { ref: b.ref } });
    await h.settle(b.ref, 'REMOVED');
    expect(images()).toEqual(before);
  });
});
