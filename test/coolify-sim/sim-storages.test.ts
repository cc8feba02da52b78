import { afterEach, describe, expect, it } from 'vitest';
import { startCoolifySim, type CoolifySim } from './index.js';
import { apiFor, b64, createService, setupProject } from './test-helpers.js';

let sim: CoolifySim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const compose = (content: string, readOnly = false) => `services:
  supabase-kong:
    image: nginx:1.27
    volumes:
      - type: bind
        source: ./volumes/app/conf.txt
        target: /etc/app/conf.txt
        read_only: ${readOnly}
        content: |
          ${content}
`;

describe('coolify-sim: inline file mounts', () => {
  it('a PATCH keeps the stored content of a known mount (parsers.php:2187-2190@379abb25)', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api), {
      docker_compose_raw: b64(compose('one')),
    });
    expect(sim.hostFile(uuid, 'supabase-kong', '/etc/app/conf.txt')).toBe('one\n');
    const patched = await api('PATCH', `/services/${uuid}`, {
      docker_compose_raw: b64(compose('two')),
    });
    expect(patched.status).toBe(200);
    const listed = (await api('GET', `/services/${uuid}/storages`)).json as {
      file_storages: { uuid: string; mount_path: string; content: string }[];
    };
    expect(listed.file_storages).toMatchObject([
      { mount_path: '/etc/app/conf.txt', content: 'one\n' },
    ]);
    expect(sim.hostFile(uuid, 'supabase-kong', '/etc/app/conf.txt')).toBe('one\n');

    // Deleted (row and file, ServicesController.php:2908-2985), the next PATCH creates it anew.
    const del = await api('DELETE', `/services/${uuid}/storages/${listed.file_storages[0]!.uuid}`);
    expect(del).toMatchObject({ status: 200, json: { message: 'Storage deleted.' } });
    expect(sim.hostFile(uuid, 'supabase-kong', '/etc/app/conf.txt')).toBeUndefined();
    await api('PATCH', `/services/${uuid}`, { docker_compose_raw: b64(compose('two')) });
    expect(sim.hostFile(uuid, 'supabase-kong', '/etc/app/conf.txt')).toBe('two\n');
  });

  it('refuses to delete a read-only mount and answers 404 for an unknown one', async () => {
    sim = await startCoolifySim();
    const api = apiFor(sim);
    const uuid = await createService(api, await setupProject(sim, api), {
      docker_compose_raw: b64(compose('x', true)),
    });
    const [file] = (
      (await api('GET', `/services/${uuid}/storages`)).json as { file_storages: { uuid: string }[] }
    ).file_storages;
    expect((await api('DELETE', `/services/${uuid}/storages/${file!.uuid}`)).status).toBe(422);
    expect(await api('DELETE', `/services/${uuid}/storages/nope`)).toMatchObject({
      status: 404,
      json: { message: 'Storage not found.' },
    });
  });
});
