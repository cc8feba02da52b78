/**
 * Remembers for a moment that a dashboard session is live, so Studio's bursts of
 * reads do not each pay a database round trip to re-check it. Revocation in this
 * process forgets the session at once; another process sees it within the TTL.
 */
const TTL_MS = 2000;
const MAX_ENTRIES = 10_000;
const live = new Map<
  string,
  { userId: string; email: string; hasFactor: boolean; until: number }
>();

export function cachedSession(
  sessionId: string,
  userId: string,
): { email: string; hasFactor: boolean } | undefined {
  const hit = live.get(sessionId);
  if (!hit || hit.userId !== userId) return undefined;
  if (hit.until < Date.now()) {
    live.delete(sessionId);
    return undefined;
  }
  return { email: hit.email, hasFactor: hit.hasFactor };
}

export function rememberSession(
  sessionId: string,
  userId: string,
  email: string,
  hasFactor = false,
): void {
  // Map keeps insertion order: dropping the oldest entry bounds memory.
  if (live.size >= MAX_ENTRIES) live.delete(live.keys().next().value!);
  live.set(sessionId, { userId, email, hasFactor, until: Date.now() + TTL_MS });
}

export function forgetSessions(sessionIds: readonly string[]): void {
  for (const id of sessionIds) live.delete(id);
}
