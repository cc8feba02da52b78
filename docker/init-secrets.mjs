// One-shot helper for docker-compose.yml (the `secrets` service): creates, once,
// the database password and the encryption key in a shared volume, so that
// `docker compose up` needs no hand-made keys. It never overwrites a file: the
// encryption key must outlive every upgrade (back up the volume).
//
//   node docker/init-secrets.mjs <dir>
//
// POSTGRES_PASSWORD / SUPAPLANE_ENCRYPTION_KEY from the environment are used
// instead of random values when the files do not exist yet.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const say = (text) => process.stdout.write(`${text}\n`);
const complain = (text) => process.stderr.write(`${text}\n`);

const dir = process.argv[2] ?? '/secrets';
// Owners inside the official images: `node` (Supaplane) and `postgres` (Debian-based postgres).
const NODE_UID = 1000;
const POSTGRES_UID = 999;

function ensure(name, make, uid) {
  const file = path.join(dir, name);
  let value;
  if (existsSync(file)) {
    value = readFileSync(file, 'utf8').trim();
    say(`${name}: kept`);
  } else {
    value = make();
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    say(`${name}: created`);
  }
  try {
    chownSync(file, uid, uid);
    chmodSync(file, 0o400);
  } catch {
    // Not root (e.g. run by hand): the files stay with the current user.
  }
  return value;
}

function fromEnv(name, check) {
  const value = process.env[name]?.trim();
  if (!value) return undefined;
  if (!check(value)) {
    complain(`${name} is set but invalid`);
    process.exit(1);
  }
  return value;
}

mkdirSync(dir, { recursive: true });
const givenKey = fromEnv('SUPAPLANE_ENCRYPTION_KEY', (v) => Buffer.from(v, 'base64').length === 32);
const key = ensure(
  'encryption-key',
  () => givenKey ?? randomBytes(32).toString('base64'),
  NODE_UID,
);
if (givenKey && givenKey !== key) {
  complain(
    'warning: SUPAPLANE_ENCRYPTION_KEY differs from the key already in the secrets volume; the environment value wins in Supaplane, and secrets sealed with the other key cannot be opened',
  );
}
// Letters and digits only, so it can sit in a URL without escaping.
const givenPassword = fromEnv('POSTGRES_PASSWORD', (v) => /^[A-Za-z0-9]{16,}$/.test(v));
const password = ensure(
  'postgres-password',
  () => givenPassword ?? randomBytes(24).toString('hex'),
  POSTGRES_UID,
);
ensure(
  'database-url',
  () => `postgres://supaplane:${encodeURIComponent(password)}@postgres:5432/supaplane`,
  NODE_UID,
);
