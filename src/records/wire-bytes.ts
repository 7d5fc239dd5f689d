/**
 * A compact byte form for what the scoring thread sends its writer threads (decision records,
 * decision-event rows), instead of the structured clone postMessage makes of arrays of values,
 * which costs per value (docs/performance.md). Here each value is a tag byte and its bytes,
 * strings of ASCII (every id, code and timestamp the contract allows) are copied a character at a
 * time without leaving JavaScript, and the result is one ArrayBuffer, transferred rather than
 * copied.
 *
 * Exact for every value it takes: numbers keep their float64 bits (NaN payloads aside, -0 and
 * infinities included), strings their UTF-16 code units (lone surrogates too), vectors their bytes.
 */

const enum Tag {
  Undefined,
  Null,
  /** u16 length, one byte per character. */
  Ascii,
  /** u32 length in code units, two bytes each (little-endian). */
  Utf16,
  /** float64, little-endian. */
  Number,
  False,
  True,
  /** u32 element count, then the elements' bytes. */
  Float32s,
}

/** What {@link WireWriter.value} takes and {@link WireReader.value} gives back. */
export type WireValue = string | number | boolean | null | undefined;

const MAX_ASCII = 0xffff;

/** Appends tagged values to a growing buffer; {@link finish} hands the bytes over. */
export class WireWriter {
  private bytes: Uint8Array<ArrayBuffer>;
  private view: DataView;
  private at = 0;

  constructor(capacity = 16 * 1024) {
    this.bytes = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.at;
  }

  /** Appends one value. */
  value(v: WireValue): void {
    // `typeof v === '…'` tests, not a switch on `typeof v`: the optimiser turns each into a type
    // check, where the switch first builds the type's name (a Typeof call per value).
    if (typeof v === 'string') this.string(v);
    else if (typeof v === 'number') {
      this.room(9);
      this.bytes[this.at] = Tag.Number;
      this.view.setFloat64(this.at + 1, v, true);
      this.at += 9;
    } else if (typeof v === 'boolean') {
      this.room(1);
      this.bytes[this.at++] = v ? Tag.True : Tag.False;
    } else {
      this.room(1);
      this.bytes[this.at++] = v === null ? Tag.Null : Tag.Undefined;
    }
  }

  /** Appends a vector (its float32 bytes as they are). */
  floats(a: Float32Array): void {
    const n = a.byteLength;
    this.room(5 + n);
    this.bytes[this.at] = Tag.Float32s;
    this.view.setUint32(this.at + 1, a.length, true);
    this.bytes.set(new Uint8Array(a.buffer, a.byteOffset, n), this.at + 5);
    this.at += 5 + n;
  }

  /** Appends a vector or null. */
  optionalFloats(a: Float32Array | null): void {
    if (a === null) this.value(null);
    else this.floats(a);
  }

  /** The bytes written, in an ArrayBuffer of their own (to transfer); the writer starts over empty. */
  finish(): ArrayBuffer {
    const out = this.bytes.buffer.slice(0, this.at);
    this.at = 0;
    return out;
  }

  private string(s: string): void {
    const n = s.length;
    if (n <= MAX_ASCII) {
      this.room(3 + n);
      const b = this.bytes;
      const start = this.at + 3;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[start + i] = c;
      }
      if (i === n) {
        b[this.at] = Tag.Ascii;
        this.view.setUint16(this.at + 1, n, true);
        this.at = start + n;
        return;
      }
    }
    this.room(5 + 2 * n);
    this.bytes[this.at] = Tag.Utf16;
    this.view.setUint32(this.at + 1, n, true);
    for (let i = 0; i < n; i++) this.view.setUint16(this.at + 5 + 2 * i, s.charCodeAt(i), true);
    this.at += 5 + 2 * n;
  }

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(2 * this.bytes.length, this.at + n));
    bigger.set(this.bytes.subarray(0, this.at));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }
}

/** Reads back, in order, what a {@link WireWriter} wrote. Throws a RangeError on bytes it did not write. */
export class WireReader {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  /** The same bytes as a Buffer, for its string decoding. */
  private readonly text: Buffer;

  constructor(buffer: ArrayBuffer) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.text = Buffer.from(buffer);
  }

  /** True once every value has been read. */
  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  /** The next value (not a vector). */
  value(): WireValue {
    const tag = this.tag();
    switch (tag) {
      case Tag.Undefined:
        return undefined;
      case Tag.Null:
        return null;
      case Tag.False:
        return false;
      case Tag.True:
        return true;
      case Tag.Number: {
        const v = this.view.getFloat64(this.at, true);
        this.at += 8;
        return v;
      }
      case Tag.Ascii: {
        const n = this.view.getUint16(this.at, true);
        const start = this.at + 2;
        this.at = start + n;
        // Buffer#toString clamps its end: a string cut short must fail here, not read short.
        if (this.at > this.bytes.length) throw new RangeError('wire: read past the end');
        // One native call (an ASCII string's bytes are its latin1 text): about half the time of
        // String.fromCharCode.apply, which first makes an argument list of the bytes.
        return this.text.toString('latin1', start, this.at);
      }
      case Tag.Utf16: {
        const n = this.view.getUint32(this.at, true);
        const units = new Array<number>(n);
        for (let i = 0; i < n; i++) units[i] = this.view.getUint16(this.at + 4 + 2 * i, true);
        this.at += 4 + 2 * n;
        let s = '';
        // fromCharCode takes its units as arguments: in slices, far below any engine's limit.
        for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...units.slice(i, i + 8192));
        return s;
      }
      default:
        throw new RangeError(`wire: a value expected at byte ${this.at - 1}, found tag ${tag}`);
    }
  }

  /** The next value, which must be a vector; a copy with buffer of its own. */
  floats(): Float32Array {
    const start = this.vector();
    return new Float32Array(this.bytes.slice(start, this.at).buffer);
  }

  /**
   * The next value, which must be a vector, as its float32 little-endian bytes: a view into the
   * buffer read (no copy), valid as long as that buffer is.
   */
  floatBytes(): Buffer {
    const start = this.vector();
    return Buffer.from(this.bytes.buffer, start, this.at - start);
  }

  /** The next value, which must be a vector or null, as {@link floats} reads it. */
  optionalFloats(): Float32Array | null {
    return this.nextIsNull() ? null : this.floats();
  }

  /** The next value, which must be a vector or null, as {@link floatBytes} reads it. */
  optionalFloatBytes(): Buffer | null {
    return this.nextIsNull() ? null : this.floatBytes();
  }

  /** True (and steps over it) when the next value is null. */
  private nextIsNull(): boolean {
    if (this.bytes[this.at] !== Tag.Null) return false;
    this.at++;
    return true;
  }

  /** Steps over the next value, which must be a vector; returns where its bytes start (they end at `at`). */
  private vector(): number {
    const tag = this.tag();
    if (tag !== Tag.Float32s) throw new RangeError(`wire: a vector expected at byte ${this.at - 1}, found tag ${tag}`);
    const n = this.view.getUint32(this.at, true);
    const start = this.at + 4;
    if (start + 4 * n > this.bytes.length) throw new RangeError('wire: read past the end');
    this.at = start + 4 * n;
    return start;
  }

  private tag(): number {
    if (this.at >= this.bytes.length) throw new RangeError('wire: read past the end');
    return this.bytes[this.at++] as number;
  }
}
