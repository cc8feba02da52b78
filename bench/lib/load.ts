import autocannon from 'autocannon';
import postgres from 'postgres';

export interface Load {
  rps: number;
  p99: number;
  /** Errors, timeouts and non-2xx answers. */
  errors: number;
  /** Responses received, whatever their status. */
  answered: number;
}

/** `connections` clients sending GET `url` back to back for `durationS` seconds. */
export async function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationS: number,
): Promise<Load> {
  const r = await autocannon({ url, connections, duration: durationS, headers });
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    answered: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
  };
}

/** Project status changes recorded so far (each one also notified the read caches). */
export async function statusChanges(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from audit_log where to_status is distinct from from_status`;
    return row!.n;
  } finally {
    await sql.end();
  }
}
