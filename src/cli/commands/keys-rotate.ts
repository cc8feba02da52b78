import { retiredKeyIds } from '../../crypto/keyring.js';
import { rotateEnvelopes, type KeyUsage } from '../../keys/rotate.js';
import { stringOption, type Command, type Values } from '../command.js';
import { EXIT, json, line, UsageError } from '../io.js';

const positiveInt = (values: Values, name: string): number | undefined => {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`);
  return n;
};

const describeUsage = (u: KeyUsage) => `${u.table}: ${u.count} under ${u.keyId}`;

/**
 * Re-seals every envelope under the active key of SUPAPLANE_ENCRYPTION_KEYS (see
 * docs/cli.md, "Rotating the encryption key"). Safe to interrupt: run it again.
 */
export const keysRotate: Command = {
  name: 'keys rotate',
  usage: 'keys rotate [--batch-size <n>] [--limit <n>] [--json]',
  summary:
    'Re-encrypt every secret under the active encryption key, then report what still uses an old one',
  options: { 'batch-size': { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    const batchSize = positiveInt(ctx.values, 'batch-size');
    const limit = positiveInt(ctx.values, 'limit');
    const { keyring, db } = (await ctx.session()).runtime.deps;
    const retired = retiredKeyIds(keyring);
    if (!ctx.values.json) {
      line(
        ctx.io,
        `Re-sealing under ${keyring.activeKeyId}` +
          (retired.length
            ? ` (retired keys loaded: ${retired.join(', ')})`
            : ' (no retired key loaded)'),
      );
    }
    const report = await rotateEnvelopes(db, keyring, {
      batchSize,
      limit,
      // On stderr, one line per committed batch: what is done stays done.
      onBatch: (p) => ctx.io.stderr.write(`  ${p.table}: ${p.resealed} re-sealed\n`),
    });
    if (ctx.values.json) json(ctx.io, report);
    else {
      line(ctx.io, `${report.resealed} envelope${report.resealed === 1 ? '' : 's'} re-sealed.`);
      if (!report.remaining.length) {
        line(
          ctx.io,
          `✔ Every envelope uses ${keyring.activeKeyId}.` +
            (retired.length ? ` ${retired.join(', ')} may now be removed from the key list.` : ''),
        );
      } else {
        line(ctx.io, '⚠ Still under an old key:');
        for (const u of report.remaining)
          line(
            ctx.io,
            `    ${describeUsage(u)}${keyring.keys.has(u.keyId) ? '' : ' (key not loaded: add it to SUPAPLANE_ENCRYPTION_KEYS)'}`,
          );
        line(ctx.io, '  Run `supaplane keys rotate` again to carry on.');
      }
    }
    return report.unreadable.length ? EXIT.failed : EXIT.ok;
  },
};
