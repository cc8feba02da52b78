import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { fromRoot } from '../paths.js';
import * as schema from './schema/index.js';

/** `$client` is the postgres.js pool underneath, for the few statements worth preparing by hand. */
export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };
/** A database handle or an open transaction: service functions accept either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fromRoot('drizzle');

export function connect(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // Keep app-side timestamps in UTC whatever the server's zone is.
    connection: { TimeZone: 'UTC' },
  });
  return {
    db: drizzle(sql, { schema }),
    sql,
    close: () => sql.end({ timeout: 5 }),
  };
}

/** Applies committed drizzle-kit migrations; safe to run from several processes at once. */
export async function migrateDatabase(url: string): Promise<void> {
  // drizzle's migrator is not concurrency-safe, so start-ups take turns on a
  // session advisory lock held by this single connection.
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(727274)`;
    await migrate(drizzle(sql, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
