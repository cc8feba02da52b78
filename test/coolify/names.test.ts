import { afterEach, describe, expect, it } from 'vitest';
import { CoolifyProvisioner, stackName } from '../../src/provisioner/coolify-driver.js';
import { CoolifyClient } from '../../src/coolify/client.js';
import { createProject } from '../../src/projects/projects.js';
import { stripTags } from '../coolify-sim/strip-tags.js';
import { startHarness, type Harness } from '../support/harness.js';

const actor = { id: 'test' };
let h: Harness;
afterEach(async () => h?.close());

// Coolify strip_tags()s service and project names (app/Traits/HasSafeStringAttribute.php@379abb25).
describe('D9: names survive Coolify strip_tags (HasSafeStringAttribute.php@379abb25)', () => {
  it('the simulator strips like PHP: `<` + non-space starts a tag to `>` or the end; `< ` is text', () => {
    expect(stripTags('a <b>c')).toBe('a c');
    expect(stripTags('Team <alpha (abcdefghijklmnopqrst)')).toBe('Team ');
    expect(stripTags('1 < 2 > 0')).toBe('1 < 2 > 0');
    expect(stripTags('x<a title=">">y')).toBe('xy');
  });

  it('a project named with `<` keeps its (ref) suffix in Coolify and reaches ACTIVE_HEALTHY', async () => {
    h = await startHarness();
    const p = await createProject(h.deps, {
      actor,
      input: { organizationId: h.org.id, name: 'Team <alpha' },
    });
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
    const [svc] = h.sim.servicesByTag(p.ref);
    expect(svc!.name).toBe(`Team ‹alpha (${p.ref})`);
    expect(stackName('a<b>c', p.ref)).toBe(`a‹b›c (${p.ref})`);
  });

  it('findStacks finds a stack by its ref tag when the name says nothing, and skips other refs (routes/api.php:377@379abb25)', async () => {
    h = await startHarness({ startRunner: false });
    const client = new CoolifyClient({
      baseUrl: h.sim.url,
      token: h.sim.token,
      timeoutMs: 2000,
      requestsPerMinute: 1000,
    });
    const driver = new CoolifyProvisioner(client);
    const groupId = await driver.ensureGroup(
      { organizationName: 'Names', organizationSlug: 'names' },
      null,
    );
    const spec = (ref: string) => ({
      ref,
      name: 'x',
      organizationName: 'Names',
      groupId,
      serverUuid: h.sim.state.servers[0]!.uuid,
      publicUrl: `https://${ref}.supa.test`,
      templateVersion: 'v1',
      env: {},
    });
    const ours = await driver.createStack(spec('aaaaaaaaaaaaaaaaaaaa'));
    const other = await driver.createStack(spec('bbbbbbbbbbbbbbbbbbbb'));
    // As strip_tags left a name made before names were escaped: suffix gone.
    h.sim.state.services.get(ours)!.name = 'Team ';
    expect(await driver.findStacks(groupId, 'aaaaaaaaaaaaaaaaaaaa')).toEqual([ours]);
    expect(await driver.findStacks(groupId, 'bbbbbbbbbbbbbbbbbbbb')).toEqual([other]);
    // Only the unnamed stack needed a tag lookup.
    const tagCalls = h.sim.calls.filter((c) => c.route === '/services/{uuid}/tags');
    expect(tagCalls.map((c) => c.path)).toEqual([
      `/services/${ours}/tags`,
      `/services/${ours}/tags`,
    ]);
  });
});
