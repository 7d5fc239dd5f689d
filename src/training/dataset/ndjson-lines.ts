import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Calls `onLine(bytes, text, start, end, lineNumber)` for every non-empty line of a file, in order.
 * The line is `bytes[start, end)` (no newline, no trailing CR); `text` holds the same bytes decoded
 * as latin1, one character per byte, so `text.slice(start, end)` is the line when it is ASCII
 * (decode `bytes` as UTF-8 otherwise). Both cover a chunk of many lines and are reused: a callback
 * keeps nothing of them without copying. The file is read synchronously in large chunks (a line
 * longer than a chunk grows the buffer). Line numbers start at 1. `onProgress(bytesRead)` is called
 * once per chunk. Throws what `fs` throws, or what `onLine` throws.
 */
export function forEachLine(
  path: string,
  onLine: (bytes: Buffer, text: string, start: number, end: number, lineNumber: number) => void,
  onProgress: (bytesRead: number) => void = () => undefined,
): void {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    // Bytes of an unfinished line, kept at the front of buf from the previous read.
    let carried = 0;
    let lineNumber = 0;
    let total = 0;
    const lines = (filled: number, last: boolean): number => {
      const cut = last ? filled : buf.lastIndexOf(10, filled - 1) + 1;
      if (cut <= 0) return 0;
      const text = buf.toString('latin1', 0, cut);
      let start = 0;
      while (start < cut) {
        let nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= cut) nl = cut;
        lineNumber++;
        const e = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        if (e > start) onLine(buf, text, start, e, lineNumber);
        start = nl + 1;
      }
      return cut;
    };
    for (;;) {
      if (carried === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      const n = readSync(fd, buf, carried, buf.length - carried, null);
      if (n === 0) break;
      total += n;
      const filled = carried + n;
      const used = lines(filled, false);
      carried = filled - used;
      if (carried > 0 && used > 0) buf.copy(buf, 0, used, filled);
      onProgress(total);
    }
    if (carried > 0) lines(carried, true);
  } finally {
    closeSync(fd);
  }
}
