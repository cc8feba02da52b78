/**
 * Postgres unique_violation (23505), whether or not drizzle wraps the driver's
 * error; with `constraint`, only a violation of that constraint.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = (err as { cause?: unknown })?.cause ?? err;
  if (typeof e !== 'object' || e === null || !('code' in e) || e.code !== '23505') return false;
  return constraint === undefined || ('constraint_name' in e && e.constraint_name === constraint);
}
