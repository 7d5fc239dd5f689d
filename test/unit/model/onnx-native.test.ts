import { join } from 'node:path';
import { featureSpecHash } from '../../../src/model/feature-spec-hash';
import { OnnxModel } from '../../../src/model/onnx-model';
import { ModelRegistry } from '../../../src/model/registry/model-registry';
import { seededRandom } from '../../support/seeded-random';

describe('OnnxModel.scoreNow', () => {
  it('scores synchronously exactly what the asynchronous API scores', async () => {
    const registry = new ModelRegistry(join(__dirname, '../../../models'));
    const entry = registry.champion();
    if (entry === null) throw new Error('no committed champion');
    const model = await OnnxModel.load(entry.dir, entry.metadata, { expectedSpecHash: featureSpecHash() });
    try {
      expect(model.scoreNow).not.toBeNull();
      const scoreNow = model.scoreNow as NonNullable<OnnxModel['scoreNow']>;
      const width = entry.metadata.featureNames.length;
      const random = seededRandom(7);
      for (const rows of [1, 2, 17, 64]) {
        const matrix = new Float32Array(rows * width);
        for (let i = 0; i < matrix.length; i++) matrix[i] = random() < 0.1 ? Number.NaN : random() * 100;
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
