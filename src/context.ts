import type { ReadCache } from './cache/read-cache.js';
import type { Config } from './config/config.js';
import type { Keyring } from './crypto/envelope.js';
import type { Db } from './db/client.js';
import type { Logger } from './log.js';
import type { Provisioner } from './provisioner/provisioner.js';

/** Everything a service function needs, built once at boot (or per test). */
export interface Deps {
  db: Db;
  config: Config;
  keyring: Keyring;
  /** Signs and verifies dashboard access tokens (derived from the keyring). */
  authKey: Uint8Array;
  log: Logger;
  /** Absent when Coolify is not configured: provisioning then fails with a clear message. */
  provisioner?: Provisioner;
  /** Wakes the local job runner after a job is enqueued (other processes poll). */
  wakeJobs?: () => void;
  /** Hot dashboard reads, invalidated by Postgres notifications; absent = always read the database. */
  readCache?: ReadCache;
  /** Asks for a reconcile tick soon, e.g. after a job handed work to Coolify. */
  wakeReconciler?: () => void;
}
