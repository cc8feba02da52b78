import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import postgres from 'postgres';
import type { Config } from '../../config/config.js';
import type { Keyring } from '../../crypto/envelope.js';
import { keyringFromConfig, keyringFromSpecs, retiredKeyIds } from '../../crypto/keyring.js';
import { connect } from '../../db/client.js';
import { startEmbeddedPostgres } from '../../db/embedded.js';
import { projectSecrets } from '../../db/schema/index.js';
import { loadProjectSecrets } from '../../secrets/store.js';
import { fromRoot } from '../../paths.js';
import { describeDatabaseUrl, runningEmbeddedUrl } from '../database.js';
import { fail, ok, warn, type Check } from './check.js';
import { envelopeKeyCheck } from './keys.js';
import { leftoversCheck } from './leftovers.js';

const MIGRATIONS_DIR = fromRoot('drizzle');

/** Database reachable, migrations applied, and the encryption key present and right. */
export async function databaseChecks(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  let url = config.DATABASE_URL;
  let where = url ? describeDatabaseUrl(url) : '';
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    url = runningEmbeddedUrl(config.SUPAPLANE_DATA_DIR);
    where = `embedded Postgres in ${path.resolve(config.SUPAPLANE_DATA_DIR)}`;
    if (!url) {
      try {
        const pg = await startEmbeddedPostgres(config.SUPAPLANE_DATA_DIR);
        url = pg.url;
        stopEmbedded = pg.stop;
        where += ' (started for this check)';
      } catch (err) {
        checks.push(
          fail(
            'Database reachable',
            `cannot start the embedded Postgres (${(err as Error).message.split('\n')[0]})`,
            'set DATABASE_URL to a Postgres you run, or check SUPAPLANE_DATA_DIR is writable',
          ),
        );
        return checks;
      }
    }
  }
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    try {
      await sql`select 1`;
      checks.push(ok('Database reachable', where));
    } catch (err) {
      checks.push(
        fail(
          'Database reachable',
          `${where}: ${(err as Error).message}`,
          'check DATABASE_URL (host, port, user, password, database) and that Postgres accepts connections from here',
        ),
      );
      return checks;
    }
    checks.push(await migrationCheck(sql));
    checks.push(...(await keyChecks(config, url)));
    checks.push(await leftoversCheck(sql));
  } finally {
    await sql.end({ timeout: 5 });
    await stopEmbedded?.();
  }
  return checks;
}

async function migrationCheck(sql: postgres.Sql): Promise<Check> {
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  const latest = Math.max(...files.map((f) => f.folderMillis));
  let applied: { n: number; last: number | null };
  try {
    const [row] = await sql<{ n: number; last: string | null }[]>`
      select count(*)::int as n, max(created_at)::text as last from drizzle.__drizzle_migrations`;
    applied = { n: row?.n ?? 0, last: row?.last ? Number(row.last) : null };
  } catch {
    applied = { n: 0, last: null }; // no migrations table yet
  }
  // drizzle applies every migration newer than the last one recorded.
  const pending = files.filter((f) => applied.last === null || f.folderMillis > applied.last);
  if (pending.length) {
    return fail(
      'Database migrated',
      `${pending.length} of ${files.length} migrations not applied`,
      'start Supaplane once (`npm start`, or its container): it applies migrations at start-up',
    );
  }
  if (applied.last !== null && applied.last > latest) {
    return warn(
      'Database migrated',
      'the database has migrations newer than this Supaplane',
      'run the Supaplane version that migrated it (downgrades are not supported)',
    );
  }
  return ok('Database migrated', `${files.length} migrations applied`);
}

async function keyChecks(config: Config, url: string): Promise<Check[]> {
  const keyFile = path.resolve(config.SUPAPLANE_DATA_DIR, 'encryption.key');
  let key = config.SUPAPLANE_ENCRYPTION_KEY ?? config.SUPAPLANE_ENCRYPTION_KEYS?.[0]?.key;
  let source = 'SUPAPLANE_ENCRYPTION_KEY';
  if (!key && !config.DATABASE_URL && existsSync(keyFile)) {
    key = readFileSync(keyFile, 'utf8').trim();
    source = `${keyFile} (generated; back it up)`;
  }
  if (!key) {
    return [
      config.DATABASE_URL
        ? fail(
            'Encryption key present',
            'SUPAPLANE_ENCRYPTION_KEY is not set',
            'set SUPAPLANE_ENCRYPTION_KEY (or _FILE) to 32 random bytes in base64: `openssl rand -base64 32`',
          )
        : warn(
            'Encryption key present',
            `none yet: the first start generates ${keyFile}`,
            'back that file up once it exists, or set SUPAPLANE_ENCRYPTION_KEY',
          ),
    ];
  }
  let keyring: Keyring;
  if (config.SUPAPLANE_ENCRYPTION_KEYS) {
    keyring = keyringFromSpecs(config.SUPAPLANE_ENCRYPTION_KEYS);
    const retired = retiredKeyIds(keyring);
    source = `SUPAPLANE_ENCRYPTION_KEYS (active ${keyring.activeKeyId}${retired.length ? `, retired ${retired.join(', ')}` : ''})`;
  } else keyring = keyringFromConfig({ SUPAPLANE_ENCRYPTION_KEY: key }, () => key);
  const checks = [ok('Encryption key present', source)];
  // The key must also open what it encrypted: a different key makes every project unreadable.
  const database = connect(url, { max: 1 });
  try {
    const [row] = await database.db
      .select({ projectId: projectSecrets.projectId })
      .from(projectSecrets)
      .limit(1);
    if (row) {
      try {
        await loadProjectSecrets(database.db, keyring, row.projectId);
        checks.push(ok('Encryption key opens stored project secrets'));
      } catch {
        checks.push(
          fail(
            'Encryption key opens stored project secrets',
            'it does not: these secrets were sealed with another key',
            'restore the SUPAPLANE_ENCRYPTION_KEY that was in use when the projects were created',
          ),
        );
      }
    }
    checks.push(await envelopeKeyCheck(database.db, keyring));
  } finally {
    await database.close();
  }
  return checks;
}
