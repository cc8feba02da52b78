export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/**
 * A project counts as up only when its own gateway answers: GoTrue's health
 * endpoint and PostgREST through Kong with the anon key (which also proves the
 * keys we generated are the ones the stack uses).
 */
export async function probeGateway(
  gatewayUrl: string,
  anonKey: string,
  timeoutMs = 5000,
): Promise<ProbeResult> {
  for (const path of ['/auth/v1/health', '/rest/v1/']) {
    try {
      const res = await fetch(gatewayUrl + path, {
        headers: { apikey: anonKey, Authorization: `Bearer ${anonKey}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) return { ok: false, detail: `${path} answered ${res.status}` };
    } catch (err) {
      return { ok: false, detail: `${path} unreachable (${(err as Error).message})` };
    }
  }
  return { ok: true, detail: 'gateway healthy' };
}
