import { afterEach, describe, expect, it } from 'vitest';
import { CoolifyClient } from '../../src/coolify/client.js';
import { encodeCompose } from '../../src/provisioner/template.js';
import { startCoolifySim, type CoolifySim } from '../coolify-sim/index.js';

let sim: CoolifySim | undefined;
afterEach(async () => sim?.close());

// parsers.php:2405-2431@379abb25: firstOrCreate(VAR, value: <text after the operator>).
describe('D7: Coolify stores the text of a ${VAR:?message} guard as the value (parsers.php:2405-2431@379abb25)', () => {
  it('the simulator creates the variable with the message as its value, and an empty guard as empty', async () => {
    sim = await startCoolifySim({ servers: [{}] });
    const client = new CoolifyClient({
      baseUrl: sim.url,
      token: sim.token,
      timeoutMs: 2000,
      requestsPerMinute: 100,
    });
    const project = await client.createProject({ name: 'guards', description: 'x' });
    const compose = [
      'services:',
      '  app:',
      '    image: nginx:1.27.0',
      '    environment:',
      '      - PASSWORD=${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}',
      '      - TOKEN=${TOKEN:?}',
      '',
    ].join('\n');
    const { uuid } = await client.createService({
      project_uuid: project.uuid,
      server_uuid: sim.state.servers[0]!.uuid,
      environment_name: 'production',
      docker_compose_raw: encodeCompose(compose),
      name: 'guards',
      description: 'x',
      instant_deploy: false,
      urls: [],
      tags: ['guards'],
    });
    const env = sim.envOf(uuid);
    expect(env.POSTGRES_PASSWORD).toBe('POSTGRES_PASSWORD is required');
    expect(env.TOKEN).toBe('');
    expect(sim.state.services.get(uuid)!.envs.get('TOKEN')!.is_required).toBe(true);
  });
});
