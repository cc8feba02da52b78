import autocannon from 'autocannon';
import postgres from 'postgres';

export interface Load {
  rps: number;
  p99: number;
  /** Errors, timeouts and non-2xx answers. */
  errors: number;
  /** Responses received, whatever their status. */
  answered: number;
  /**
   * The server's CPU time per answer, in µs. Unlike req/s it hardly depends on
   * how much of the shared machine the server got during the run.
   */
  cpuUs: number;
}

/** `connections` clients sending GET `url` back to back for `durationS` seconds. */
export async function load(
  server: { url: string; cpuMs(): number },
  path: string,
  headers: Record<string, string>,
  connections: number,
  durationS: number,
): Promise<Load> {
  const cpu0 = server.cpuMs();
  const r = await autocannon({ url: server.url + path, connections, duration: durationS, headers });
  const answered = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    cpuUs: ((server.cpuMs() - cpu0) * 1000) / answered,
    rps: r.requests.average,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    answered,
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
