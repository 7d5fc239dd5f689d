import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExplainerDocument } from '../../../src/model/explain/explainer-document';
import { featureSpecHash } from '../../../src/model/feature-spec-hash';
import { ModelLoadError, OnnxModel } from '../../../src/model/onnx-model';
import type { ModelMetadata } from '../../../src/model/registry/model-metadata';
import { ModelRegistry, sha256Hex } from '../../../src/model/registry/model-registry';

/*
 * The committed champion's explainer describes its ONNX trees; an explainer that does not (a leaf
 * changed, even with a matching checksum) or that fails its checksum is refused at load.
 */
describe('a model and its explainer', () => {
  const entry = new ModelRegistry(join(__dirname, '../../../models')).champion();
  if (entry === null) throw new Error('no committed champion');
  const spec = entry.metadata.explainer;
  if (spec === undefined) throw new Error('the committed champion has no explainer');
  const onnx = readFileSync(join(entry.dir, entry.metadata.onnx.file));
  const text = readFileSync(join(entry.dir, spec.file), 'utf8');
  const options = { expectedSpecHash: featureSpecHash() };
  /** Loads model.onnx with `doc` as its explainer, model.json's checksum made to match. */
  const loadWith = (doc: string) => OnnxModel.fromBytes(onnx, { ...entry.metadata, explainer: { file: spec.file, sha256: sha256Hex(doc) } } as ModelMetadata, options, Buffer.from(doc));

  it('loads the committed champion with an explainer whose margin gives its scores', async () => {
    const model = await OnnxModel.load(entry.dir, entry.metadata, options);
    try {
      const shap = model.explainer;
      expect(shap).not.toBeNull();
      const rows = shap!.probeRows(64, 99);
      const width = entry.metadata.featureNames.length;
      const scores = await model.scoreBatch(rows, 64);
      for (let r = 0; r < 64; r++) {
        const x = rows.subarray(r * width, (r + 1) * width);
        const explained = shap!.explain(x);
        const sum = explained.reduce((a, b) => a + b, 0);
        expect(Math.abs(1 / (1 + Math.exp(-sum)) - (scores[r] as number))).toBeLessThanOrEqual(1e-6);
      }
    } finally {
      await model.close();
    }
  });

  it('refuses an explainer whose checksum does not match model.json', async () => {
    const metadata = { ...entry.metadata, explainer: { file: spec.file, sha256: 'a'.repeat(64) } };
    await expect(OnnxModel.fromBytes(onnx, metadata, options, Buffer.from(text))).rejects.toThrow(
      new ModelLoadError(`model ${entry.metadata.version}: sha256 of explainer.json is ${sha256Hex(text)}, model.json says ${'a'.repeat(64)}`));
  });

  it('refuses an explainer that does not describe model.onnx, even with a matching checksum', async () => {
    const doc = JSON.parse(text) as { trees: { left: number[]; value: number[] }[] } & ExplainerDocument;
    const tree = doc.trees[0]!;
    const leaf = tree.left.findIndex((l) => l === -1);
    tree.value[leaf] = (tree.value[leaf] ?? 0) + 0.5;
    await expect(loadWith(JSON.stringify(doc))).rejects.toThrow(/its explainer does not describe model.onnx/);
  });

  it('refuses an explainer that is not a tree document, naming what is wrong', async () => {
    await expect(loadWith('{"format":"tree-shap/v1","featureCount":36,"baseMargin":0,"trees":[]}'))
      .rejects.toThrow(/explainer.json is unusable: explainer \/trees must NOT have fewer than 1 items/);
  });
});
