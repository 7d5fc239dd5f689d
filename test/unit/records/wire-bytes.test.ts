import { WireReader, WireWriter, type WireValue } from '../../../src/records/wire-bytes';

const bits = (x: number) => Buffer.from(new Float64Array([x]).buffer).toString('hex');

describe('wire bytes', () => {
  it('give back every value exactly, in order', () => {
    const long = 'x'.repeat(70_000);
    const values: WireValue[] = [
      'tx-000001', '', 'é€ and 𝄞', '\ud800 lone surrogate', long, `${long}é`,
      0, -0, 1.5, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.1 + 0.2,
      true, false, null, undefined,
    ];
    const w = new WireWriter(8);
    for (const v of values) w.value(v);
    const vector = new Float32Array(new Uint32Array([0x7fc00001, 0x80000000, 0x3f800000, 0x00000001]).buffer);
    w.floats(vector);
    w.floats(new Float32Array(0));
    w.value('after');
    const r = new WireReader(w.finish());
    for (const v of values) {
      const got = r.value();
      if (typeof v === 'number') expect(bits(got as number)).toBe(bits(v));
      else expect(got).toBe(v);
    }
    expect(Buffer.from(r.floats().buffer)).toEqual(Buffer.from(vector.buffer));
    expect(r.floats()).toHaveLength(0);
    expect(r.value()).toBe('after');
    expect(r.done).toBe(true);
  });

  it('start over empty after finish, and hand over a buffer of exactly the bytes written', () => {
    const w = new WireWriter();
    w.value('abc');
    expect(w.finish().byteLength).toBe(6);
    expect(w.length).toBe(0);
    w.value(7);
    const r = new WireReader(w.finish());
    expect([r.value(), r.done]).toEqual([7, true]);
  });

  it('refuse to read past the end, a vector where a value is, or an unknown tag', () => {
    const w = new WireWriter();
    w.floats(new Float32Array([1]));
    expect(() => new WireReader(w.finish()).value()).toThrow('wire: a value expected at byte 0, found tag 7');
    w.value(1);
    expect(() => new WireReader(w.finish()).floats()).toThrow('wire: a vector expected at byte 0, found tag 4');
    expect(() => new WireReader(new ArrayBuffer(0)).value()).toThrow('wire: read past the end');
    expect(() => new WireReader(new Uint8Array([200]).buffer).value()).toThrow('found tag 200');
  });

  it('refuse a string cut short, whatever its encoding', () => {
    for (const text of ['replica-a/1', 'réplica-ä/1']) {
      const w = new WireWriter();
      w.value(text);
      const bytes = w.finish();
      expect(new WireReader(bytes).value()).toBe(text);
      for (let n = 1; n < bytes.byteLength; n++) expect(() => new WireReader(bytes.slice(0, n)).value()).toThrow(expect.objectContaining({ name: 'RangeError' }));
    }
  });
});
