import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { jobs } from '../src/db/schema/index.js';
import { createProject } from '../src/projects/projects.js';
import { startHarness, waitFor, type Harness } from './support/harness.js';

// A create whose POST /services answer was lost resumes by searching the group for services
// named after the ref. When Coolify made more than one (two PHP workers interleaving the same
// request: a late POST alone gets 409 from the domain check, see test/coolify-sim/domains.ts),
// the create handler keeps one and removes the rest itself, before any reconcile tick
// (audit mutant M15).

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('create resumed after a lost POST /services answer', () => {
  it('removes a second service Coolify made for the same ref, without the reconciler', async () => {
    h = await startHarness({ runner: { backoff: { baseMs: 800, maxMs: 1000 } } });
    h.sim.inject({ method: 'POST', path: '/services', kind: '502', after: true });
    const p = await createProject(h.deps, {
      actor: { id: 'test' },
      input: { organizationId: h.org.id, name: 'Late twin' },
    });
    await waitFor(async () => {
      const [job] = await h!.db.db.select().from(jobs).where(eq(jobs.projectId, p.id));
      return job?.attempts === 1 && job.state === 'queued';
    }, 5000);
    const [first] = h.sim.servicesByTag(p.ref);
    expect(first).toBeDefined();
    const compose = Buffer.from('services:\n  app:\n    image: nginx:1.27.0\n').toString('base64');
    const twin = await fetch(`${h.sim.apiUrl}/services`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.sim.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        project_uuid: first!.projectUuid,
        server_uuid: first!.serverUuid,
        // The harness servers have two networks, so Coolify needs the destination (D3).
        destination_uuid: first!.destinationUuid,
        environment_name: 'production',
        docker_compose_raw: compose,
        name: `Late twin (${p.ref})`,
        tags: ['supaplane', p.ref],
      }),
    });
    expect(twin.status).toBe(201);
    const { uuid: twinUuid } = (await twin.json()) as { uuid: string };

    await h.jobsIdle();
    await waitFor(async () => !h!.sim.state.services.has(twinUuid), 5000, 'twin removed');
    const project = await h.project(p.ref);
    expect(project.coolifyServiceUuid).toBe(first!.uuid);
    expect(h.sim.servicesByTag(p.ref).map((s) => s.uuid)).toEqual([first!.uuid]);
    // No reconcile tick ran: the create handler removed it.
    expect(h.sim.calls.some((c) => c.route === '/servers/{uuid}/resources')).toBe(false);
    await h.settle(p.ref, 'ACTIVE_HEALTHY');
  });
});
