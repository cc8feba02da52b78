import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** Counts bytes and hashes them as they pass. */
export function digestTap() {
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { tap, result: () => ({ sha256: hash.digest('hex'), size }) };
}
