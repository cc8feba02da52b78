/**
 * A process-wide cache for Studio's hot reads (membership checks, project pages),
 * kept correct by invalidation rather than by a short life: every write to an
 * organization's projects, members or the organization itself makes Postgres
 * notify each process (see drizzle/0003), which drops that organization's
 * entries; this process's own mutating requests clear it before they answer, so a
 * client always reads its own writes. `maxAgeMs` only bounds the harm of a
 * notification lost while the listening connection was down.
 *
 * Values are shared between requests and must be treated as immutable.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<unknown>>();
  private readonly keysByOrganization = new Map<number, Set<string>>();
  private weight = 0;
  /** Bumped by every invalidation: a load that began before one must not be stored. */
  private generation = 0;

  /** `maxWeight` bounds memory: an entry weighs 1, or what its caller says (a page, its rows). */
  constructor(
    private readonly maxAgeMs: number,
    private readonly maxWeight = 50_000,
  ) {}

  /**
   * The cached value for `key`, or `load()`'s. Concurrent misses share one load.
   * `organizationOf` names the organization whose writes invalidate the value;
   * `undefined` (e.g. "not found") is never stored, so a new member is seen at once.
   */
  get<T>(
    key: string,
    load: () => Promise<T>,
    organizationOf: (value: T) => number | undefined,
    weightOf: (value: T) => number = () => 1,
  ): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.value as T);
    if (hit) this.forget(key, hit);
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight as Promise<T>;
    const startedAt = this.generation;
    const loading = load().then(
      (value) => {
        if (this.pending.get(key) === loading) this.pending.delete(key);
        const organizationId = organizationOf(value);
        if (startedAt === this.generation && organizationId !== undefined)
          this.store(key, value, organizationId, weightOf(value));
        return value;
      },
      (err: unknown) => {
        if (this.pending.get(key) === loading) this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, loading);
    return loading;
  }

  /** The stored, live value for `key`, if there is one: get's hit, without a promise. */
  peek<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    return hit && hit.expiresAt > Date.now() ? (hit.value as T) : undefined;
  }

  invalidateOrganization(organizationId: number): void {
    this.generation++;
    this.pending.clear();
    const keys = this.keysByOrganization.get(organizationId);
    if (!keys) return;
    this.keysByOrganization.delete(organizationId);
    for (const key of keys) {
      this.weight -= this.entries.get(key)?.weight ?? 0;
      this.entries.delete(key);
    }
  }

  clear(): void {
    this.generation++;
    this.pending.clear();
    this.entries.clear();
    this.keysByOrganization.clear();
    this.weight = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: unknown, organizationId: number, weight: number): void {
    if (this.maxAgeMs <= 0 || weight > this.maxWeight) return;
    const old = this.entries.get(key);
    if (old) this.forget(key, old);
    // Map keeps insertion order: dropping the oldest entries bounds memory.
    while (this.weight + weight > this.maxWeight) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.forget(oldestKey, oldest);
    }
    this.weight += weight;
    this.entries.set(key, {
      value,
      organizationId,
      weight,
      expiresAt: Date.now() + this.maxAgeMs,
    });
    let keys = this.keysByOrganization.get(organizationId);
    if (!keys) this.keysByOrganization.set(organizationId, (keys = new Set()));
    keys.add(key);
  }

  private forget(key: string, entry: Entry): void {
    this.weight -= entry.weight;
    this.entries.delete(key);
    this.keysByOrganization.get(entry.organizationId)?.delete(key);
  }
}

interface Entry {
  value: unknown;
  organizationId: number;
  weight: number;
  expiresAt: number;
}
