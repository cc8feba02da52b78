import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Backup } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { BackupDeps } from './create.js';
import { decryptor, openBackupSecrets } from './data-key.js';
import { digestTap } from './digest.js';
import { backupStore, scratchDir } from './storage.js';

function requireCompleted(backup: Backup) {
  if (backup.status !== 'COMPLETED' || !backup.objectKey || !backup.dataNonce || !backup.dataTag)
    throw new AppError(
      'precondition',
      `backup ${backup.id} is ${backup.status.toLowerCase()}, not a completed backup`,
    );
}

/**
 * Copies the stored object to a scratch file and checks its sha256 against the one
 * recorded when it was taken, before anything is changed. Returns the file's path.
 */
export async function fetchVerified(deps: BackupDeps, backup: Backup): Promise<string> {
  requireCompleted(backup);
  const file = path.join(scratchDir(deps.config), `restore-${backup.id}-${process.pid}.enc`);
  await mkdir(path.dirname(file), { recursive: true });
  const digest = digestTap();
  const source = await backupStore(deps.config).get(backup.objectKey!);
  await pipeline(source, digest.tap, createWriteStream(file, { mode: 0o600 }));
  const actual = digest.result().sha256;
  if (actual !== backup.sha256) {
    throw new AppError(
      'precondition',
      `backup ${backup.id} is damaged: its stored bytes have sha256 ${actual}, not the ${backup.sha256} recorded when it was taken; nothing was changed`,
    );
  }
  return file;
}

/** The plaintext dump (pg_dump custom format) of a verified scratch file or of the store. */
export async function decryptedDump(
  deps: BackupDeps,
  backup: Backup,
  verifiedFile?: string,
): Promise<Readable> {
  requireCompleted(backup);
  const { key } = await openBackupSecrets(deps.db, deps.keyring, backup.id);
  const source = verifiedFile
    ? createReadStream(verifiedFile)
    : await backupStore(deps.config).get(backup.objectKey!);
  const decipher = decryptor(key, backup.id, backup.dataNonce!, backup.dataTag!);
  source.on('error', (err: Error) => decipher.destroy(err));
  return source.pipe(decipher);
}
