import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** Bytes read from a spill file at a time: memory per reader, whatever the file's size. */
const CHUNK_BYTES = 1 << 20;

/**
 * Reads a file of newline-terminated lines a group at a time, in chunks of {@link CHUNK_BYTES},
 * so replaying a spill file of any size holds one group (plus one chunk) in memory. `offset` is
 * where the next group starts, in bytes (to put back what a failed write did not take). A last
 * line without its newline (torn by a crash) is returned too. Close it when done.
 */
export class LineReader {
  private readonly fd: number;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pending: Buffer = Buffer.alloc(0);
  private position = 0;
  private eof = false;
  /** Byte offset of the first line not yet returned. */
  offset = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** Up to `count` non-empty lines (without their newline); empty at the end of the file. */
  next(count: number): string[] {
    const lines: string[] = [];
    while (lines.length < count) {
      const nl = this.pending.indexOf(0x0a);
      if (nl < 0) {
        if (this.eof) {
          if (this.pending.length > 0) {
            lines.push(this.pending.toString('utf8'));
            this.offset += this.pending.length;
            this.pending = Buffer.alloc(0);
          }
          break;
        }
        const n = readSync(this.fd, this.chunk, 0, CHUNK_BYTES, this.position);
        if (n === 0) this.eof = true;
        this.position += n;
        this.pending = Buffer.concat([this.pending, this.chunk.subarray(0, n)]);
        continue;
      }
      const line = this.pending.subarray(0, nl).toString('utf8');
      this.pending = this.pending.subarray(nl + 1);
      this.offset += nl + 1;
      if (line !== '') lines.push(line);
    }
    return lines;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Number of non-empty lines of a file (0 when it does not exist), read a chunk at a time. */
export function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const reader = new LineReader(path);
  try {
    let n = 0;
    for (let group = reader.next(10_000); group.length > 0; group = reader.next(10_000)) n += group.length;
    return n;
  } finally {
    reader.close();
  }
}
