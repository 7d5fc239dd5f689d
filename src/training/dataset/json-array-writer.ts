import { writeSync } from 'node:fs';

const QUOTE = 0x22;
const COMMA = 0x2c;
const FLUSH_AT = 4 << 20;
const NULL = 'null';

/** True for a character JSON.stringify writes as itself inside a string (printable ASCII but `"` and `\`). */
function plain(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== QUOTE && c !== 0x5c;
}

/**
 * Writes large JSON arrays straight into a file descriptor as bytes, the same text
 * `JSON.stringify(array)` gives, without building the array or its text: the dataset sidecar's
 * per-row columns are millions of values, and materialising them as arrays and then as strings
 * took longer than the rest of writing the dataset. Strings of printable ASCII without `"` or `\`
 * are copied byte by byte, integers (|v| < 2^53) as `String(v)`, non-finite numbers as `null`;
 * anything else goes through `JSON.stringify` element by element, so the text is always exactly
 * what it would give. Buffers up to a few MB and
 * writes synchronously; throws what `fs.writeSync` throws.
 */
export class JsonArrayWriter {
  private buf = Buffer.allocUnsafe(FLUSH_AT + 4096);
  private at = 0;

  constructor(private readonly fd: number) {}

  /** Raw ASCII text (punctuation and keys around the arrays). */
  text(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** `[...]` of the first `count` strings of `values`. */
  strings(values: readonly string[], count: number): void {
    this.open();
    for (let i = 0; i < count; i++) {
      if (i > 0) this.comma();
      this.string(values[i] as string);
    }
    this.close();
  }

  /** `[...]` of `count` strings looked up by number: element i is `table[numbers[i]]`. */
  stringsAt(table: readonly string[], numbers: ArrayLike<number>, count: number): void {
    this.open();
    for (let i = 0; i < count; i++) {
      if (i > 0) this.comma();
      this.string(table[numbers[i] as number] as string);
    }
    this.close();
  }

  /**
   * `[...]` of `count` strings given as bytes: element i is `bytes[starts[i], starts[i + 1])`, one
   * character per byte (latin1).
   */
  byteStrings(bytes: Uint8Array, starts: Int32Array, count: number): void {
    this.open();
    for (let i = 0; i < count; i++) {
      if (i > 0) this.comma();
      const s = starts[i] as number;
      const e = starts[i + 1] as number;
      let ok = true;
      for (let k = s; k < e; k++) ok &&= plain(bytes[k] as number);
      if (!ok) {
        this.text(JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('latin1')));
        continue;
      }
      this.room(e - s + 2);
      const buf = this.buf;
      buf[this.at++] = QUOTE;
      for (let k = s; k < e; k++) buf[this.at++] = bytes[k] as number;
      buf[this.at++] = QUOTE;
    }
    this.close();
  }

  /** `[...]` of the first `count` numbers of `values`; NaN and infinities are written `null`, as JSON.stringify does. */
  numbers(values: ArrayLike<number>, count: number): void {
    this.open();
    for (let i = 0; i < count; i++) {
      if (i > 0) this.comma();
      this.number(values[i] as number);
    }
    this.close();
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.at > 0) writeSync(this.fd, this.buf, 0, this.at);
    this.at = 0;
  }

  private open(): void {
    this.room(1);
    this.buf[this.at++] = 0x5b;
  }

  private comma(): void {
    if (this.at >= FLUSH_AT) this.flush();
    this.buf[this.at++] = COMMA;
  }

  private close(): void {
    this.room(1);
    this.buf[this.at++] = 0x5d;
  }

  private string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    let ok = true;
    for (let k = 0; k < n; k++) ok &&= plain(s.charCodeAt(k));
    if (!ok) {
      this.text(JSON.stringify(s));
      return;
    }
    const buf = this.buf;
    buf[this.at++] = QUOTE;
    for (let k = 0; k < n; k++) buf[this.at++] = s.charCodeAt(k);
    buf[this.at++] = QUOTE;
  }

  private number(v: number): void {
    if (!Number.isSafeInteger(v)) {
      if (Number.isFinite(v)) this.text(JSON.stringify(v));
      else this.ascii(NULL);
      return;
    }
    if (v >= 0 && v < 10) {
      this.room(1);
      this.buf[this.at++] = 0x30 + v;
      return;
    }
    this.ascii(String(v));
  }

  /** A string known to be ASCII. */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    for (let k = 0; k < n; k++) buf[this.at++] = s.charCodeAt(k);
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    this.flush();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }
}
