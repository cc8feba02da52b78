/** One line of `supaplane doctor`: what was checked, what was found, how to fix it. */
export interface Check {
  /** `warn`: worth knowing, does not fail the run. */
  status: 'ok' | 'fail' | 'warn' | 'skip';
  title: string;
  detail?: string;
  fix?: string;
}

export const ok = (title: string, detail?: string): Check => ({ status: 'ok', title, detail });
export const fail = (title: string, detail: string, fix: string): Check => ({
  status: 'fail',
  title,
  detail,
  fix,
});
export const warn = (title: string, detail: string, fix?: string): Check => ({
  status: 'warn',
  title,
  detail,
  fix,
});
export const skip = (title: string, detail: string): Check => ({ status: 'skip', title, detail });

const MARK: Record<Check['status'], string> = { ok: '✔', fail: '✘', warn: '⚠', skip: '–' };

export function renderCheck(c: Check): string {
  const head = `${MARK[c.status]} ${c.title}${c.detail ? `: ${c.detail}` : ''}`;
  return c.fix ? `${head}\n    fix: ${c.fix}` : head;
}
