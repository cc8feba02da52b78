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

export interface LiveSession {
  email: string;
  hasFactor: boolean;
}

const checking = new Map<string, Promise<LiveSession | undefined>>();

/**
 * The session as `lookup` finds it in the database, remembered for the TTL when
 * live. Checks of one session that overlap share one lookup: when the entry
 * expires, every request of that session in flight misses at once (all 64 of the
 * bench's connections, every 2 s). A revocation in this process while a lookup
 * runs (forgetSessions) wins: that lookup's answer is neither remembered nor
 * shared with later checks, which look again.
 */
export function checkSession(
  sessionId: string,
  userId: string,
  lookup: () => Promise<LiveSession | undefined>,
): Promise<LiveSession | undefined> {
  const key = `${sessionId}:${userId}`;
  const inFlight = checking.get(key);
  if (inFlight) return inFlight;
  const check = lookup().then(
    (found) => {
      const current = checking.get(key) === check;
      if (current) checking.delete(key);
      if (found && current) rememberSession(sessionId, userId, found.email, found.hasFactor);
      return found;
    },
    (err: unknown) => {
      if (checking.get(key) === check) checking.delete(key);
      throw err;
    },
  );
  checking.set(key, check);
  return check;
}

export function forgetSessions(sessionIds: readonly string[]): void {
  for (const id of sessionIds) {
    live.delete(id);
    for (const key of checking.keys()) if (key.startsWith(`${id}:`)) checking.delete(key);
  }
}
