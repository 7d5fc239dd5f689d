import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Calls `onLine(text, lineNumber)` for every non-empty line of a UTF-8 file, in order, reading it
 * synchronously in large chunks (fast on big files, bounded memory). Line numbers start at 1.
 * `onProgress(bytesRead)` is called once per chunk. Throws what `fs` throws, or what `onLine` throws.
 */
export function forEachLine(
  path: string,
  onLine: (line: string, lineNumber: number) => void,
  onProgress: (bytesRead: number) => void = () => undefined,
): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = Buffer.alloc(0);
    let lineNumber = 0;
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      total += n;
      // Cut at the last newline so no UTF-8 sequence or line is split between chunks.
      const lastNl = buf.lastIndexOf(10, n - 1);
      if (lastNl < 0) {
        carry = Buffer.concat([carry, buf.subarray(0, n)]);
        continue;
      }
      const text = (carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, lastNl)]) : buf.subarray(0, lastNl)).toString('utf8');
      carry = Buffer.from(buf.subarray(lastNl + 1, n));
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        const end = nl < 0 ? text.length : nl;
        lineNumber++;
        if (end > start) onLine(end - start > 0 && text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end), lineNumber);
        if (nl < 0) break;
        start = nl + 1;
      }
      onProgress(total);
    }
    if (carry.length > 0) {
      lineNumber++;
      const last = carry.toString('utf8').replace(/\r$/, '');
      if (last.length > 0) onLine(last, lineNumber);
    }
  } finally {
    closeSync(fd);
  }
}
