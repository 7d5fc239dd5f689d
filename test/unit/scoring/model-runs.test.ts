import type { OnnxModel } from '../../../src/model/onnx-model';
import { MAX_BATCH, ModelRuns } from '../../../src/scoring/model-runs';

/** A model stand-in whose score is the sum of a row; records every run's row count. */
function fakeModel(sync: boolean, fail = false): { model: OnnxModel; runs: number[] } {
  const runs: number[] = [];
  const score = (matrix: Float32Array, rows: number): Float32Array => {
    runs.push(rows);
    if (fail) throw new Error('run failed');
    const width = matrix.length / rows;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) out[r] = (out[r] as number) + (matrix[r * width + c] as number);
    return out;
  };
  const model = {
    scoreNow: sync ? score : null,
    scoreBatch: (matrix: Float32Array, rows: number) => new Promise<Float32Array>((resolve) => setImmediate(() => resolve(score(matrix, rows)))),
  } as unknown as OnnxModel;
  return { model, runs };
}

const row = (a: number, b: number) => Float32Array.from([a, b]);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ModelRuns (synchronous model)', () => {
  it('scores the vectors of one event-loop turn in one run at its end, each its own row', async () => {
    const { model, runs } = fakeModel(true);
    const m = new ModelRuns(() => 0);
    const scores = [m.score(model, row(1, 2)), m.score(model, row(3, 4)), m.score(model, row(5, 6))];
    expect(runs).toEqual([]);
    expect(await Promise.all(scores)).toEqual([3, 7, 11]);
    expect(runs).toEqual([3]);
  });

  it('runs a batch in the queuing call once its first vector waited the bound', async () => {
    const { model, runs } = fakeModel(true);
    let now = 0;
    const m = new ModelRuns(() => now, 0.4);
    const a = m.score(model, row(1, 1));
    now = 0.3;
    const b = m.score(model, row(2, 2));
    expect(runs).toEqual([]);
    now = 0.45;
    const c = m.score(model, row(3, 3));
    expect(runs).toEqual([3]);
    const d = m.score(model, row(4, 4));
    expect(await Promise.all([a, b, c, d])).toEqual([2, 4, 6, 8]);
    expect(runs).toEqual([3, 1]);
  });

  it('gives each run its own rows though their matrix is reused between runs', async () => {
    const { model, runs } = fakeModel(true);
    const m = new ModelRuns(() => 0);
    const first = [m.score(model, row(1, 2)), m.score(model, row(3, 4)), m.score(model, row(5, 6))];
    expect(await Promise.all(first)).toEqual([3, 7, 11]);
    const second = [m.score(model, row(10, 20)), m.score(model, row(30, 40))];
    expect(await Promise.all(second)).toEqual([30, 70]);
    expect(runs).toEqual([3, 2]);
  });

  it(`runs at once when ${MAX_BATCH} vectors are queued`, async () => {
    const { model, runs } = fakeModel(true);
    const m = new ModelRuns(() => 0);
    const all = Array.from({ length: MAX_BATCH + 1 }, (_, i) => m.score(model, row(i, 0)));
    expect(runs).toEqual([MAX_BATCH]);
    expect(await Promise.all(all)).toEqual(Array.from({ length: MAX_BATCH + 1 }, (_, i) => i));
    expect(runs).toEqual([MAX_BATCH, 1]);
  });

  it('runs each model separately (a swap mid-turn) and fails only the vectors of a failed run', async () => {
    const good = fakeModel(true);
    const bad = fakeModel(true, true);
    const m = new ModelRuns(() => 0);
    const a = m.score(good.model, row(1, 0));
    const b = m.score(bad.model, row(2, 0));
    const c = m.score(bad.model, row(3, 0));
    const d = m.score(good.model, row(4, 0));
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('run failed');
    await expect(c).rejects.toThrow('run failed');
    await expect(d).resolves.toBe(4);
    expect(good.runs).toEqual([1, 1]);
    expect(bad.runs).toEqual([2]);
  });

  it('never leaves a vector for a later turn', async () => {
    const { model } = fakeModel(true);
    const m = new ModelRuns(() => 0);
    let settled = false;
    void m.score(model, row(1, 0)).then(() => (settled = true));
    await nextTurn();
    expect(settled).toBe(true);
  });
});

describe('ModelRuns (asynchronous model)', () => {
  it('runs one vector alone when idle and those that arrive during a run together next', async () => {
    const { model, runs } = fakeModel(false);
    const m = new ModelRuns(() => 0);
    const first = m.score(model, row(1, 0));
    const rest = [m.score(model, row(2, 0)), m.score(model, row(3, 0))];
    expect(await Promise.all([first, ...rest])).toEqual([1, 2, 3]);
    expect(runs).toEqual([1, 2]);
  });
});
