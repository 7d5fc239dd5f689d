import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { compileExplainerCheck, type ExplainerCheck } from './explain/explainer-document';
import { TreeShap } from './explain/tree-shap';
import { openNativeSession, type NativeSession } from './onnx-native-session';
import type { ModelMetadata } from './registry/model-metadata';
import { sha256Hex } from './registry/model-registry';

/** Why a model was refused; the previous model keeps serving. */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
}

export interface OnnxModelOptions {
  /** The running features/ spec hash; a model trained on another spec is refused. */
  readonly expectedSpecHash: string;
  /** onnxruntime intra-op threads (1 keeps single-row latency lowest on a shared box). */
  readonly threads?: number;
}

const BATCH_ROWS = 8_192;
/** Rows scored both by onnxruntime and through the explainer's trees when a model loads. */
const EXPLAINER_PROBE_ROWS = 256;
/** Largest |P(onnxruntime) - sigmoid(explainer margin)| accepted on those rows (float32 scores). */
const EXPLAINER_TOLERANCE = 1e-5;

/** The explainer document check, compiled on first use (a process loads few models). */
let explainerCheck: ExplainerCheck | null = null;

/** Scores `rows` rows of a row-major matrix on the calling thread, one value per row; the matrix is not kept after the call. */
export type ScoreRowsNow = (matrix: Float32Array, rows: number) => Float32Array;

/**
 * A second session on the same bytes that scores on the calling thread (onnx-native-session.ts),
 * or null when onnxruntime-node offers none: scoring then stays async.
 */
function nativeRunner(bytes: Uint8Array, options: InferenceSession.SessionOptions, input: string, output: string, width: number, column: number): { run: ScoreRowsNow; dispose(): void } | null {
  let session: NativeSession;
  try {
    session = openNativeSession(bytes, options);
  } catch {
    return null;
  }
  const fetches = { [output]: null };
  const run: ScoreRowsNow = (matrix, rows) => {
    const res = session.run({ [input]: new Tensor('float32', matrix.subarray(0, rows * width), [rows, width]) }, fetches)[output] as Tensor;
    const out = new Float32Array(rows);
    copyColumn(res, column, rows, out, 0);
    return out;
  };
  return { run, dispose: () => session.dispose() };
}

/** Copies `rows` values of the output's probability column (the only column of a 1-D output) into `out` at `at`. */
function copyColumn(res: Tensor, column: number, rows: number, out: Float32Array, at: number): void {
  const data = res.data as Float32Array;
  const cols = res.dims.length > 1 ? (res.dims[1] as number) : 1;
  const c = column < cols ? column : 0;
  for (let i = 0; i < rows; i++) out[at + i] = data[i * cols + c] as number;
}

/**
 * A binary classifier served by onnxruntime-node. Created only through {@link OnnxModel.load} /
 * {@link OnnxModel.fromBytes}, which verify the checksum and the feature spec hash, create the
 * session and warm it up, so a model that exists is ready to score.
 */
export class OnnxModel {
  private readonly input: string;
  private readonly output: string;
  private readonly column: number;
  private readonly width: number;
  private readonly dims: number[];
  /**
   * Scores rows synchronously on this thread (see ModelRuns), or null where this onnxruntime-node
   * has no such path; decided at load. Same scores as {@link scoreBatch} (checked at warm-up).
   */
  readonly scoreNow: ScoreRowsNow | null;

  private constructor(
    readonly metadata: ModelMetadata,
    private readonly session: InferenceSession,
    private readonly native: { run: ScoreRowsNow; dispose(): void } | null = null,
    /**
     * Exact TreeSHAP over this model's trees (checked at load to give its scores), or null for a
     * model without an explainer (a foreign classifier), which answers without reasons.
     */
    readonly explainer: TreeShap | null = null,
  ) {
    this.scoreNow = native === null ? null : native.run;
    this.input = metadata.onnx.input;
    this.output = metadata.onnx.output;
    this.column = metadata.onnx.outputColumn ?? 0;
    this.width = metadata.featureNames.length;
    this.dims = [1, this.width];
  }

  get version(): string {
    return this.metadata.version;
  }

  /**
   * Loads `<dir>/<metadata.onnx.file>` and, when model.json names one, its explainer. Throws a
   * {@link ModelLoadError} naming the problem.
   */
  static async load(dir: string, metadata: ModelMetadata, options: OnnxModelOptions): Promise<OnnxModel> {
    const read = (file: string): Buffer => {
      try {
        return readFileSync(join(dir, file));
      } catch (err) {
        throw new ModelLoadError(`model ${metadata.version}: cannot read ${file}: ${(err as Error).message}`);
      }
    };
    const bytes = read(metadata.onnx.file);
    const explainer = metadata.explainer === undefined ? null : read(metadata.explainer.file);
    return OnnxModel.fromBytes(bytes, metadata, options, explainer);
  }

  /**
   * The explainer of `metadata` from its file's bytes: checksum, document, feature count.
   * Throws a {@link ModelLoadError}.
   */
  static explainerOf(metadata: ModelMetadata, bytes: Uint8Array): TreeShap {
    const v = metadata.version;
    const spec = metadata.explainer;
    if (spec === undefined) throw new ModelLoadError(`model ${v} has no explainer`);
    const actual = sha256Hex(bytes);
    if (actual !== spec.sha256) throw new ModelLoadError(`model ${v}: sha256 of ${spec.file} is ${actual}, model.json says ${spec.sha256}`);
    try {
      explainerCheck ??= compileExplainerCheck();
      const shap = new TreeShap(explainerCheck(Buffer.from(bytes).toString('utf8')));
      if (shap.featureCount !== metadata.featureNames.length) throw new Error(`it has ${shap.featureCount} features, the model ${metadata.featureNames.length}`);
      return shap;
    } catch (err) {
      throw new ModelLoadError(`model ${v}: ${spec.file} is unusable: ${(err as Error).message}`);
    }
  }

  /**
   * Verifies and opens a model from its bytes (and its explainer's, when model.json names one:
   * its trees must give the model's scores on probe rows). Throws a {@link ModelLoadError}.
   */
  static async fromBytes(bytes: Uint8Array, metadata: ModelMetadata, options: OnnxModelOptions, explainerBytes: Uint8Array | null = null): Promise<OnnxModel> {
    const v = metadata.version;
    const actual = sha256Hex(bytes);
    if (actual !== metadata.sha256) throw new ModelLoadError(`model ${v}: sha256 of ${metadata.onnx.file} is ${actual}, model.json says ${metadata.sha256}`);
    if (metadata.featureSpecHash !== options.expectedSpecHash) {
      throw new ModelLoadError(`model ${v}: feature spec hash ${metadata.featureSpecHash} differs from the running features/ (${options.expectedSpecHash})`);
    }
    let session: InferenceSession;
    const sessionOptions: InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    };
    try {
      session = await InferenceSession.create(bytes, sessionOptions);
    } catch (err) {
      throw new ModelLoadError(`model ${v}: onnxruntime cannot load it: ${(err as Error).message}`);
    }
    if (!session.inputNames.includes(metadata.onnx.input) || !session.outputNames.includes(metadata.onnx.output)) {
      await session.release();
      throw new ModelLoadError(`model ${v}: expects input "${metadata.onnx.input}" and output "${metadata.onnx.output}", the graph has ${JSON.stringify(session.inputNames)} -> ${JSON.stringify(session.outputNames)}`);
    }
    const width = metadata.featureNames.length;
    let native = nativeRunner(bytes, sessionOptions, metadata.onnx.input, metadata.onnx.output, width, metadata.onnx.outputColumn ?? 0);
    const probe = new Float32Array(width).fill(Number.NaN);
    let p: number;
    try {
      // Warm-up: the first run allocates and plans; a bad output shape shows up here, not under load.
      p = (await (new OnnxModel(metadata, session).score(probe)));
      if (!(p >= 0 && p <= 1)) throw new Error(`warm-up score ${p} is not a probability`);
    } catch (err) {
      await session.release();
      native?.dispose();
      throw new ModelLoadError(`model ${v}: warm-up failed: ${(err as Error).message}`);
    }
    if (native !== null) {
      // The synchronous path is used only when it answers exactly what the public API does.
      let same = false;
      try {
        same = native.run(probe, 1)[0] === p;
      } catch {
        same = false;
      }
      if (!same) {
        native.dispose();
        native = null;
      }
    }
    if (explainerBytes === null) return new OnnxModel(metadata, session, native);
    try {
      const shap = OnnxModel.explainerOf(metadata, explainerBytes);
      const rows = shap.probeRows(EXPLAINER_PROBE_ROWS);
      const scores = await new OnnxModel(metadata, session).scoreBatch(rows, EXPLAINER_PROBE_ROWS);
      let worst = 0;
      for (let r = 0; r < EXPLAINER_PROBE_ROWS; r++) {
        const margin = shap.margin(rows.subarray(r * width, (r + 1) * width));
        worst = Math.max(worst, Math.abs(1 / (1 + Math.exp(-margin)) - (scores[r] as number)));
      }
      if (!(worst <= EXPLAINER_TOLERANCE)) throw new ModelLoadError(`model ${v}: its explainer does not describe model.onnx (scores differ by up to ${worst.toExponential(2)})`);
      return new OnnxModel(metadata, session, native, shap);
    } catch (err) {
      await session.release();
      native?.dispose();
      throw err instanceof ModelLoadError ? err : new ModelLoadError(`model ${v}: explainer check failed: ${(err as Error).message}`);
    }
  }

  /** P(fraud) of one feature vector (length = the model's feature count). */
  async score(features: Float32Array): Promise<number> {
    const feeds = { [this.input]: new Tensor('float32', features, this.dims) };
    const out = await this.session.run(feeds, [this.output]);
    const t = out[this.output] as Tensor;
    const cols = t.dims.length > 1 ? (t.dims[1] as number) : 1;
    return (t.data as Float32Array)[this.column < cols ? this.column : 0] as number;
  }

  /** P(fraud) of every row of a row-major matrix, in batches. */
  async scoreBatch(matrix: Float32Array, rows: number): Promise<Float32Array> {
    const out = new Float32Array(rows);
    for (let start = 0; start < rows; start += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, rows - start);
      const feeds = { [this.input]: new Tensor('float32', matrix.subarray(start * this.width, (start + n) * this.width), [n, this.width]) };
      const res = (await this.session.run(feeds, [this.output]))[this.output] as Tensor;
      copyColumn(res, this.column, n, out, start);
    }
    return out;
  }

  async close(): Promise<void> {
    this.native?.dispose();
    await this.session.release();
  }
}
