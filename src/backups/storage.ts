import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Config } from '../config/config.js';

/**
 * Where encrypted backup objects live. Objects are written from a finished local file
 * (so an upload knows its length and a failed dump never leaves a partial object) and
 * read back as streams; nothing holds a whole dump in memory.
 */
export interface BackupStore {
  readonly kind: 'local' | 's3';
  put(key: string, file: string): Promise<void>;
  get(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
}

export function backupDir(config: Config): string {
  return config.SUPAPLANE_BACKUP_DIR ?? path.join(config.SUPAPLANE_DATA_DIR, 'backups');
}

/** Scratch space for dumps being encrypted and objects being verified, beside the store. */
export function scratchDir(config: Config): string {
  return path.join(config.SUPAPLANE_DATA_DIR, 'tmp', 'backups');
}

export function backupStore(config: Config): BackupStore {
  return config.SUPAPLANE_BACKUP_STORAGE === 's3' ? s3Store(config) : localStore(backupDir(config));
}

export function localStore(dir: string): BackupStore {
  const file = (key: string) => {
    const full = path.resolve(dir, key);
    if (!full.startsWith(path.resolve(dir) + path.sep)) throw new Error(`bad object key ${key}`);
    return full;
  };
  return {
    kind: 'local',
    async put(key, source) {
      const target = file(key);
      await mkdir(path.dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      await pipeline(createReadStream(source), createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, target);
    },
    async get(key) {
      const target = file(key);
      await stat(target);
      return createReadStream(target);
    },
    async remove(key) {
      await rm(file(key), { force: true });
    },
  };
}

export function s3Store(config: Config): BackupStore {
  const client = new S3Client({
    region: config.SUPAPLANE_BACKUP_S3_REGION,
    endpoint: config.SUPAPLANE_BACKUP_S3_ENDPOINT,
    forcePathStyle: config.SUPAPLANE_BACKUP_S3_FORCE_PATH_STYLE,
    // The SDK's default (since 3.729) streams uploads as aws-chunked with a trailing CRC,
    // which many S3-compatible servers store verbatim; our own sha256 checks integrity.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID && config.SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: config.SUPAPLANE_BACKUP_S3_ACCESS_KEY_ID,
            secretAccessKey: config.SUPAPLANE_BACKUP_S3_SECRET_ACCESS_KEY,
          },
        }
      : {}),
  });
  const Bucket = config.SUPAPLANE_BACKUP_S3_BUCKET!;
  const Key = (key: string) => `${config.SUPAPLANE_BACKUP_S3_PREFIX}${key}`;
  return {
    kind: 's3',
    async put(key, source) {
      const { size } = await stat(source);
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: Key(key),
          Body: createReadStream(source),
          ContentLength: size,
          ContentType: 'application/octet-stream',
        }),
      );
    },
    async get(key) {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: Key(key) }));
      if (!res.Body) throw new Error(`backup object ${key} has no body`);
      return res.Body as Readable;
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: Key(key) }));
    },
  };
}
