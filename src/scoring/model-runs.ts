import type { OnnxModel } from '../model/onnx-model';

interface Waiting {
  readonly model: OnnxModel;
  readonly features: Float32Array;
  readonly resolve: (score: number) => void;
  readonly reject: (err: unknown) => void;
}

/** Most rows per model run. */
export const MAX_BATCH = 64;
/**
 * Longest the first vector of a batch waits while more arrive before the batch runs, ms. Only a
 * long loop turn (saturation) reaches it. Every vector waiting when the scoring thread stalls
 * (descheduled by the OS on a busy box, or a scavenge) takes the stall into its scoring time, so
 * the wait bounds how many do; a shorter wait makes more, smaller runs, each paying onnxruntime's
 * per-call cost. The bound is chosen to keep that tail short without costing throughput or CPU
 * per request (the measurements are in docs/performance.md).
 */
export const MAX_WAIT_MS = 0.15;

/**
 * Batches model runs. A run of n rows costs about what a run of one does (onnxruntime-node's
 * per-call overhead dominates a tree ensemble's per-row work), so under
 * load batching divides the model's CPU per request. Scores are the same as one by one (rows are
 * independent); a failed run fails each of its vectors.
 *
 * With a model that scores synchronously (`OnnxModel.scoreNow`, the usual case) a batch collects
 * the vectors of one event-loop turn and runs at the end of it (a `setImmediate`, the check phase
 * right after the I/O callbacks that queued them), or earlier, in the call that queues a vector,
 * once it holds {@link MAX_BATCH} vectors or its first has waited {@link MAX_WAIT_MS}: so no
 * vector waits for a later turn, and under a long turn (saturation) none waits much longer than
 * the bound. Otherwise runs are asynchronous: one at a time, the vectors that arrive meanwhile
 * going together in the next.
 */
export class ModelRuns {
  private queue: Waiting[] = [];
  private firstAt = 0;
  private scheduled = false;
  private readonly pending: Waiting[] = [];
  private busy = false;
  /**
   * Rows of a synchronous run, reused, so a run allocates no matrix: a young ArrayBuffer per run
   * would be freed inside a scavenge's pause.
   */
  private scratch = new Float32Array(0);
  private readonly endOfTurn = () => {
    this.scheduled = false;
    this.runNow();
  };

  /** `now`: a monotonic clock in ms. */
  constructor(
    private readonly now: () => number,
    private readonly maxWaitMs = MAX_WAIT_MS,
  ) {}

  /** P(fraud) of one vector from `model`; rejects when its run fails. */
  score(model: OnnxModel, features: Float32Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const w: Waiting = { model, features, resolve, reject };
      if (model.scoreNow === null) {
        this.pending.push(w);
        if (!this.busy) this.nextAsync();
        return;
      }
      const now = this.now();
      if (this.queue.length === 0) this.firstAt = now;
      this.queue.push(w);
      if (this.queue.length >= MAX_BATCH || now - this.firstAt >= this.maxWaitMs) this.runNow();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.endOfTurn);
      }
    });
  }

  /** Runs every queued vector now, one run per consecutive group of the same model. */
  private runNow(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let start = 0;
    while (start < batch.length) {
      const model = (batch[start] as Waiting).model;
      let end = start + 1;
      while (end < batch.length && (batch[end] as Waiting).model === model) end++;
      this.runGroup(model, batch, start, end);
      start = end;
    }
  }

  /** One synchronous run of the rows [start, end) of `batch`, all for `model`. */
  private runGroup(model: OnnxModel, batch: readonly Waiting[], start: number, end: number): void {
    let scores: Float32Array;
    try {
      scores = (model.scoreNow as NonNullable<OnnxModel['scoreNow']>)(this.rowsOf(batch, start, end), end - start);
    } catch (err) {
      for (let i = start; i < end; i++) (batch[i] as Waiting).reject(err);
      return;
    }
    for (let i = start; i < end; i++) (batch[i] as Waiting).resolve(scores[i - start] as number);
  }

  /** {@link matrixOf} into the scratch matrix, grown to {@link MAX_BATCH} rows of this width when short. */
  private rowsOf(batch: readonly Waiting[], start: number, end: number): Float32Array {
    const width = (batch[start] as Waiting).features.length;
    if (this.scratch.length < (end - start) * width) this.scratch = new Float32Array(MAX_BATCH * width);
    return matrixOf(batch, start, end, this.scratch);
  }

  private nextAsync(): void {
    const first = this.pending[0];
    if (first === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    // One model per run: the leading vectors for the same model (a swap splits the queue).
    let n = 1;
    while (n < this.pending.length && n < MAX_BATCH && (this.pending[n] as Waiting).model === first.model) n++;
    const batch = this.pending.splice(0, n);
    first.model
      .scoreBatch(matrixOf(batch, 0, n), n)
      .then(
        (scores) => {
          for (let i = 0; i < n; i++) (batch[i] as Waiting).resolve(scores[i] as number);
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => this.nextAsync());
  }
}

/**
 * The rows [start, end) of `batch` as one row-major matrix: the vector itself for one row, else
 * copied into a view of the front of `into` (room enough) or, without it, into a new matrix.
 */
function matrixOf(batch: readonly Waiting[], start: number, end: number, into?: Float32Array): Float32Array {
  if (end - start === 1) return (batch[start] as Waiting).features;
  const width = (batch[start] as Waiting).features.length;
  const length = (end - start) * width;
  const matrix = into === undefined ? new Float32Array(length) : into.subarray(0, length);
  for (let i = start; i < end; i++) matrix.set((batch[i] as Waiting).features, (i - start) * width);
  return matrix;
}
