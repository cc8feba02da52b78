import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredName } from '../../src/functions/function-secret-names.js';
import { containerValues, envFileValue } from '../coolify-sim/dotenv-values.js';
import type { SignedInUser } from '../support/api.js';
import { startV1Env, type V1Env } from '../support/v1-env.js';

let env: V1Env;
let owner: SignedInUser;
let ref: string;

beforeAll(async () => {
  env = await startV1Env();
  owner = await env.h.signIn('owner');
  ref = await env.activeProject('Secret values');
});
afterAll(() => env?.close());

const post = (secrets: { name: string; value: string }[]) =>
  env.h.call('POST', `/v1/projects/${ref}/secrets`, { as: owner, body: secrets });
/** The values containers see, under the name each secret is delivered as. */
const seen = async () => {
  const project = await env.h.project(ref);
  const values = containerValues(env.h.sim.state.services.get(project.coolifyServiceUuid!)!);
  return (name: string) => values[deliveredName(project.templateVersion, name)];
};

// EnvironmentVariable.php:204-217@379abb25: JSON objects/arrays go into .env raw whatever
// is_literal says; is_literal values are single-quoted; others are escaped but unquoted.
describe('D10: function secrets reach the container unchanged (EnvironmentVariable.php:204-217@379abb25)', () => {
  it('the simulator renders .env like Coolify and reads it like compose', () => {
    const row = (value: string, is_literal: boolean) => ({
      value,
      is_literal,
      is_multiline: false,
    });
    expect(envFileValue(row('a$B', true))).toBe("'a$B'");
    expect(envFileValue(row('a"b', false))).toBe('a\\"b');
    expect(envFileValue(row('{"a":"$B"}', true))).toBe('{"a":"$B"}');
  });

  it('values with $ and JSON values without $ arrive as sent', async () => {
    const secrets = [
      { name: 'DOLLARS', value: 'p$ss$HOME${PATH}' },
      { name: 'JSON_CONFIG', value: '{"region":"eu","retries":3}' },
      { name: 'JSON_LIST', value: '["a","b"]' },
    ];
    expect((await post(secrets)).status).toBe(201);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    const value = await seen();
    for (const s of secrets) expect(value(s.name), s.name).toBe(s.value);
  });

  it('a JSON value containing $ is refused with a 400 that says why, instead of arriving expanded', async () => {
    const res = await post([{ name: 'PRICES', value: '{"price":"$HOME"}' }]);
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/JSON.*\$/);
  });

  it('delivered names of 255 characters pass, 256 get a 400 (ValidationPatterns.php:159-174@379abb25)', async () => {
    // Coolify's limit is on the env key, which on template v2 carries a prefix.
    const { templateVersion } = await env.h.project(ref);
    const room = 255 - (deliveredName(templateVersion, 'K').length - 1);
    const longest = `K${'X'.repeat(room - 1)}`;
    expect(deliveredName(templateVersion, longest)).toHaveLength(255);
    expect((await post([{ name: longest, value: 'v' }])).status).toBe(201);
    await env.h.settle(ref, 'ACTIVE_HEALTHY');
    expect((await seen())(longest)).toBe('v');
    const res = await post([{ name: `${longest}Y`, value: 'v' }]);
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(new RegExp(`at most ${room}`));
  });
});
