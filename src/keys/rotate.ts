import { sql } from 'drizzle-orm';
import { open, seal, type Keyring } from '../crypto/envelope.js';
import type { Db } from '../db/client.js';
import { ENVELOPE_TABLES, type EnvelopeTable } from './envelope-tables.js';

export interface KeyUsage {
  table: string;
  keyId: string;
  count: number;
}

/** How many envelopes each key seals, per table (tables not yet migrated are skipped). */
export async function envelopeUsage(db: Db): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = [];
  for (const t of ENVELOPE_TABLES) {
    const [present] = (await db.execute(
      sql`select to_regclass(${t.name}) is not null as present`,
    )) as unknown as { present: boolean }[];
    if (!present?.present) continue;
    const rows = (await db.execute(
      sql`select key_id, count(*)::int as count from ${sql.identifier(t.name)} group by key_id order by key_id`,
    )) as unknown as { key_id: string; count: number }[];
    usage.push(...rows.map((r) => ({ table: t.name, keyId: r.key_id, count: r.count })));
  }
  return usage;
}

export interface RotateOptions {
  /** Envelopes re-sealed per transaction; each committed batch is progress kept. */
  batchSize?: number;
  /** Stop after this many envelopes (a later run carries on where this one stopped). */
  limit?: number;
  onBatch?: (progress: { table: string; resealed: number; total: number }) => void;
}

export interface RotateReport {
  activeKeyId: string;
  resealed: number;
  /** Envelopes still sealed with another key than the active one. */
  remaining: KeyUsage[];
  /** Of those, the ones whose key is not loaded at all: nothing here can open them. */
  unreadable: KeyUsage[];
}

/**
 * Re-seals every envelope under the active key. Progress is the key id of each row
 * itself: rows are re-sealed in small transactions (locked FOR UPDATE, so a
 * concurrent write waits), and a run that stops or crashes halfway is resumed by
 * running it again, which picks up exactly the rows still on an old key.
 */
export async function rotateEnvelopes(
  db: Db,
  keyring: Keyring,
  options: RotateOptions = {},
): Promise<RotateReport> {
  const batchSize = options.batchSize ?? 100;
  let budget = options.limit ?? Infinity;
  let total = 0;
  const retired = [...keyring.keys.keys()].filter((id) => id !== keyring.activeKeyId);
  for (const t of ENVELOPE_TABLES) {
    if (!retired.length) break;
    let resealed = 0;
    while (budget > 0) {
      const n = await resealBatch(db, keyring, t, retired, Math.min(batchSize, budget));
      if (n === 0) break;
      budget -= n;
      total += n;
      resealed += n;
      options.onBatch?.({ table: t.name, resealed, total });
    }
  }
  const remaining = (await envelopeUsage(db)).filter((u) => u.keyId !== keyring.activeKeyId);
  return {
    activeKeyId: keyring.activeKeyId,
    resealed: total,
    remaining,
    unreadable: remaining.filter((u) => !keyring.keys.has(u.keyId)),
  };
}

async function resealBatch(
  db: Db,
  keyring: Keyring,
  t: EnvelopeTable,
  retired: string[],
  size: number,
): Promise<number> {
  const key = sql.join(
    t.key.map((c) => sql.identifier(c)),
    sql`, `,
  );
  const table = sql.identifier(t.name);
  const ids = sql.join(
    retired.map((id) => sql`${id}`),
    sql`, `,
  );
  return db.transaction(async (tx) => {
    const rows = (await tx.execute(sql`
      select ${key}, key_id, nonce, ciphertext, tag from ${table}
      where key_id in (${ids}) order by ${key} limit ${size} for update skip locked`)) as unknown as Record<
      string,
      unknown
    >[];
    for (const row of rows) {
      const aad = t.aad(row);
      const where = sql.join(
        t.key.map((c) => sql`${sql.identifier(c)} = ${row[c]}`),
        sql` and `,
      );
      let plaintext: string;
      try {
        plaintext = open(
          keyring,
          {
            keyId: row.key_id as string,
            nonce: row.nonce as Buffer,
            ciphertext: row.ciphertext as Buffer,
            tag: row.tag as Buffer,
          },
          aad,
        );
      } catch (err) {
        throw new Error(
          `cannot open ${t.name} (${t.key.map((c) => `${c}=${String(row[c])}`).join(', ')}) sealed with ${String(row.key_id)}: ${(err as Error).message}`,
        );
      }
      const e = seal(keyring, plaintext, aad);
      await tx.execute(sql`
        update ${table} set key_id = ${e.keyId}, nonce = ${e.nonce}, ciphertext = ${e.ciphertext},
          tag = ${e.tag}, updated_at = now()
        where ${where} and key_id = ${row.key_id as string}`);
    }
    return rows.length;
  });
}
