import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { connect, migrateDatabase, type Database } from '../../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.js';

/** One embedded Postgres for a whole bench run; each scenario gets a fresh migrated database. */
export class BenchPostgres {
  private counter = 0;
  private readonly created: string[] = [];
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly dir: string,
    readonly startMs: number,
  ) {}

  static async start(): Promise<BenchPostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'supaplane-bench-'));
    chmodSync(dir, 0o755); // the unprivileged postgres user must traverse it when we are root
    const t0 = performance.now();
    const server = await startEmbeddedPostgres(dir);
    return new BenchPostgres(server, dir, performance.now() - t0);
  }

  async freshDatabase(): Promise<{ url: string; database: Database }> {
    const name = `bench_${process.pid}_${this.counter++}`;
    const admin = postgres(this.server.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    this.created.push(name);
    const u = new URL(this.server.url);
    u.pathname = `/${name}`;
    const url = u.toString();
    await migrateDatabase(url);
    return { url, database: connect(url, { max: 10 }) };
  }

  /**
   * Drops every database made so far, so one scenario's leftovers (autovacuum
   * over 10,000 fresh rows) do not run during the next one's measurement.
   */
  async dropDatabases(): Promise<void> {
    const admin = postgres(this.server.url, { max: 1, onnotice: () => {} });
    try {
      for (const name of this.created.splice(0))
        await admin.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await admin.end();
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
