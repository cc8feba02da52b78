export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  goal: string;
  pass: boolean;
  /** About whether things work, not how fast: even the tiny smoke run must pass it. */
  correctness?: boolean;
  /** Raw numbers behind the figure (req/s per round and so on), kept in latest.json. */
  detail?: Record<string, number | number[] | string>;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

export function printTable(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.bench,
    f.metric,
    `${Number.isInteger(f.value) ? f.value : f.value.toFixed(3)} ${f.unit}`.trim(),
    f.goal,
    f.pass ? 'PASS' : 'FAIL',
  ]);
  const head = ['bench', 'metric', 'value', 'goal', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
