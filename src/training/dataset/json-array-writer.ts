import { writeSync } from 'node:fs';

const QUOTE = 0x22;
const COMMA = 0x2c;
const FLUSH_AT = 4 << 20;
const NULL = 'null';

/** Takes written bytes; they are valid only during the call (the writer reuses its buffer). */
export type ByteSink = (bytes: Uint8Array) => void;

/** A sink writing to a file descriptor; throws what `fs.writeSync` throws. */
export function fileSink(fd: number): ByteSink {
  return (bytes) => {
    writeSync(fd, bytes);
  };
}

/** A sink keeping copies of what it is given, in order, as {@link chunks} (to transfer or write later). */
export class ChunkSink {
  readonly chunks: Uint8Array<ArrayBuffer>[] = [];
  readonly sink: ByteSink = (bytes) => {
    // A copy with its own buffer (a Buffer's slice() would be a view of the writer's buffer).
    this.chunks.push(new Uint8Array(bytes));
  };
}

/** True for a character JSON.stringify writes as itself inside a string (printable ASCII but `"` and `\`). */
function plain(c: number): boolean {
  return c >= 0x20 && c < 0x7f && c !== QUOTE && c !== 0x5c;
}

/**
 * Writes large JSON arrays as bytes into a {@link ByteSink}, the same text `JSON.stringify(array)`
 * gives, without building the array or its text: the dataset sidecar's per-row columns are
 * millions of values, and materialising them as arrays and then as strings took longer than the
 * rest of writing the dataset. Strings of printable ASCII without `"` or `\` are copied byte by
 * byte, integers (|v| < 2^53) as `String(v)`, non-finite numbers as `null`; anything else goes
 * through `JSON.stringify` element by element, so the text is always exactly what it would give.
 * Buffers up to a few MB between calls of the sink.
 *
 * An array is written whole ({@link strings}, {@link numbers}) or element by element between
 * {@link start} and {@link end} (e.g. while its values are being produced).
 */
export class JsonArrayWriter {
  private buf = Buffer.allocUnsafe(FLUSH_AT + 4096);
  private at = 0;
  /** No element written yet since the last {@link start}. */
  private first = true;

  constructor(private readonly out: ByteSink) {}

  /** Raw ASCII text (punctuation and keys around the arrays). */
  text(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** Bytes already holding JSON text (e.g. a {@link ChunkSink}'s chunks), in order. */
  bytes(chunks: readonly Uint8Array[]): void {
    this.flush();
    for (const c of chunks) this.out(c);
  }

  /** `[...]` of the first `count` strings of `values`. */
  strings(values: readonly string[], count: number): void {
    this.start();
    for (let i = 0; i < count; i++) this.string(values[i] as string);
    this.end();
  }

  /** `[...]` of the first `count` numbers of `values`; NaN and infinities are written `null`, as JSON.stringify does. */
  numbers(values: ArrayLike<number>, count: number): void {
    this.start();
    for (let i = 0; i < count; i++) this.number(values[i] as number);
    this.end();
  }

  /** Opens an array written element by element. */
  start(): void {
    this.room(1);
    this.buf[this.at++] = 0x5b;
    this.first = true;
  }

  /** Closes the array {@link start} opened. */
  end(): void {
    this.room(1);
    this.buf[this.at++] = 0x5d;
  }

  /** The next element: a string. */
  string(s: string): void {
    this.comma();
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

  /** The next element: a number (NaN and infinities as `null`). */
  number(v: number): void {
    this.comma();
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

  /** Hands what is buffered to the sink. */
  flush(): void {
    if (this.at > 0) this.out(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  private comma(): void {
    if (this.first) {
      this.first = false;
      return;
    }
    if (this.at >= FLUSH_AT) this.flush();
    this.buf[this.at++] = COMMA;
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
