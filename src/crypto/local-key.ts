import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * For the embedded (laptop) database only: a key generated once into the data
 * dir, readable by this user alone. Production sets SUPAPLANE_ENCRYPTION_KEY.
 */
export function loadOrCreateLocalKey(dataDir: string, warn: (msg: string) => void): string {
  const file = path.resolve(dataDir, 'encryption.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  warn(
    `SUPAPLANE_ENCRYPTION_KEY is not set: generated one into ${file}. Back it up; project secrets cannot be read without it.`,
  );
  return key;
}
