import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_SECRET_KEYS } from '../../src/provisioner/template.js';
import { inlinedVariables } from '../coolify-sim/inlined-env.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TEMPLATES = path.join(ROOT, 'coolify-templates/supabase');
const DOC = readFileSync(path.join(ROOT, 'docs/operators/coolify-visibility.md'), 'utf8');
const secrets = (file: string) => {
  const inlined = inlinedVariables(readFileSync(file, 'utf8'));
  return PROJECT_SECRET_KEYS.filter((k) => inlined.has(k)).sort();
};

// Coolify writes VAR's value as a literal into the generated compose for every
// `KEY=${VAR…}` line other than exactly `KEY=${KEY}` (bootstrap/helpers/parsers.php:2384-2496
// @379abb25); that compose is stored unencrypted (`services.docker_compose`), while env rows are
// encrypted (app/Models/EnvironmentVariable.php:69-72@379abb25). Every row reaches every container
// through the injected `env_file: .env` (parsers.php:2743-2753@379abb25), so a line is only needed
// where a container wants a secret under another name.
describe('D8: secrets Coolify inlines into its generated compose (parsers.php:2384-2496@379abb25)', () => {
  it('v1 inlines only the secrets its containers need under another name, each listed in the operator docs', () => {
    const v1 = secrets(path.join(TEMPLATES, 'v1/docker-compose.yaml'));
    // The publishable/secret keys and SECRET_KEY_BASE are delivered by .env alone since
    // their `KEY=${KEY:?…}` lines became `KEY=${KEY}`.
    expect(v1).toEqual([
      'JWT_SECRET',
      'PG_META_CRYPTO_KEY',
      'POSTGRES_PASSWORD',
      'REALTIME_DB_ENC_KEY',
      'SUPABASE_ANON_KEY',
      'SUPABASE_SERVICE_KEY',
    ]);
    for (const name of v1) expect(DOC, `${name} missing from the docs`).toContain(`\`${name}\``);
  });

  const later = readdirSync(TEMPLATES).filter((d) => /^v\d+$/.test(d) && d !== 'v1');
  for (const version of later) {
    it(`${version} lets no secret reach Coolify's generated compose`, () => {
      expect(secrets(path.join(TEMPLATES, version, 'docker-compose.yaml'))).toEqual([]);
    });
  }
});
