/** `s` as a literal inside a LIKE/ILIKE pattern: its `%`, `_` and `\` match themselves. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);
