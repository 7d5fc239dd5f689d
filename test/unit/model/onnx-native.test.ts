import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding';
import { featureSpecHash } from '../../../src/model/feature-spec-hash';
import { ONNXRUNTIME_NODE_CHECKED, openNativeSession } from '../../../src/model/onnx-native-session';
import { OnnxModel } from '../../../src/model/onnx-model';
import { ModelRegistry } from '../../../src/model/registry/model-registry';
import { seededRandom } from '../../support/seeded-random';

function committedChampion() {
  const entry = new ModelRegistry(join(__dirname, '../../../models')).champion();
  if (entry === null) throw new Error('no committed champion');
  return entry;
}

/** Rows of random features, a tenth of them missing (NaN), row-major. */
function randomMatrix(random: () => number, rows: number, width: number): Float32Array {
  const matrix = new Float32Array(rows * width);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random() < 0.1 ? Number.NaN : random() * 100;
  return matrix;
}

/**
 * onnx-native-session.ts relies on onnxruntime-node's private `dist/binding`: these fail when the
 * library changes in a way that matters (then re-check the module's header against the new
 * version and update ONNXRUNTIME_NODE_CHECKED).
 */
describe('onnx-native-session: the contract with onnxruntime-node internals', () => {
  it('was checked against the installed onnxruntime-node', () => {
    const installed = (JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
    expect(installed).toBe(ONNXRUNTIME_NODE_CHECKED);
  });

  it('the private binding has the shape the adapter uses', () => {
    expect(typeof binding.InferenceSession).toBe('function');
    expect(typeof initOrt).toBe('function');
    initOrt();
    const session = new binding.InferenceSession() as unknown as Record<string, unknown>;
    for (const method of ['loadModel', 'run', 'dispose']) expect(typeof session[method]).toBe('function');
  });

  it('a native run on the committed champion gives, synchronously, what the public asynchronous run gives', async () => {
    const entry = committedChampion();
    const bytes = readFileSync(join(entry.dir, entry.metadata.onnx.file));
    const { input, output } = entry.metadata.onnx;
    const width = entry.metadata.featureNames.length;
    const options: InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
    const publicSession = await InferenceSession.create(bytes, options);
    const native = openNativeSession(bytes, options);
    try {
      const random = seededRandom(11);
      for (const rows of [1, 3, 100, 2_000]) {
        const feeds = { [input]: new Tensor('float32', randomMatrix(random, rows, width), [rows, width]) };
        const now = native.run(feeds, { [output]: null })[output];
        if (now === undefined) throw new Error(`the native run returned no ${output}`);
        expect(now).not.toBeInstanceOf(Promise);
        const later = (await publicSession.run(feeds, [output]))[output] as Tensor;
        expect(now.type).toBe('float32');
        expect(now.dims).toEqual(later.dims);
        expect(now.data).toBeInstanceOf(Float32Array);
        expect(Array.from(now.data as Float32Array)).toEqual(Array.from(later.data as Float32Array));
      }
    } finally {
      native.dispose();
      await publicSession.release();
    }
  });
});

describe('OnnxModel.scoreNow', () => {
  it('scores synchronously exactly what the asynchronous API scores', async () => {
    const entry = committedChampion();
    const model = await OnnxModel.load(entry.dir, entry.metadata, { expectedSpecHash: featureSpecHash() });
    try {
      expect(model.scoreNow).not.toBeNull();
      const scoreNow = model.scoreNow as NonNullable<OnnxModel['scoreNow']>;
      const width = entry.metadata.featureNames.length;
      const random = seededRandom(7);
      for (const rows of [1, 2, 17, 64]) {
        const matrix = randomMatrix(random, rows, width);
        expect(Array.from(scoreNow(matrix, rows))).toEqual(Array.from(await model.scoreBatch(matrix, rows)));
        // A vector that is a view at an offset into a larger buffer (VectorSlab's) scores as its copy.
        const slab = new Float32Array(matrix.length + 3 * width).fill(1e9);
        slab.set(matrix, 2 * width);
        const view = slab.subarray(2 * width, 2 * width + matrix.length);
        expect(Array.from(scoreNow(view, rows))).toEqual(Array.from(scoreNow(matrix.slice(), rows)));
        if (rows === 1) expect(await model.score(view)).toBe(await model.score(matrix.slice()));
      }
    } finally {
      await model.close();
    }
  });
});
