import type { SpillCodec } from './buffered-writer';
import type { DecisionRecord } from './decision-record';

/** Float32 little-endian bytes of a feature vector (the stored form; exact). */
export function featureBytes(features: Float32Array): Buffer {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

/** The feature vector stored as bytes. Throws a RangeError on a length not divisible by 4. */
export function featuresFromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`feature blob of ${bytes.byteLength} bytes is not float32`);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** One-line JSON encoding of decision records for spill files. */
export const decisionCodec: SpillCodec<DecisionRecord> = {
  encode: (r) => JSON.stringify({
    ...r,
    features: featureBytes(r.features).toString('base64'),
    contributions: r.contributions === null ? null : featureBytes(r.contributions).toString('base64'),
  }),
  decode: (line) => {
    const o = JSON.parse(line) as Omit<DecisionRecord, 'features' | 'client' | 'contributions' | 'rules'> & { features: string; client?: string | null; contributions?: string | null; rules?: DecisionRecord['rules'] };
    // Lines spilled by builds that recorded no clients, contributions or rules have none.
    return {
      ...o,
      client: o.client ?? null,
      rules: o.rules ?? null,
      features: featuresFromBytes(Buffer.from(o.features, 'base64')),
      contributions: typeof o.contributions === 'string' ? featuresFromBytes(Buffer.from(o.contributions, 'base64')) : null,
    };
  },
};
