import type { OnnxModel } from '../model/onnx-model';

interface Waiting {
  readonly model: OnnxModel;
  readonly features: Float32Array;
  readonly resolve: (score: number) => void;
  readonly reject: (err: unknown) => void;
}

/** Most rows per model run. */
const MAX_BATCH = 64;

/**
 * Runs the model for one vector at a time while it is idle, and for every vector that arrived
 * meanwhile in one run when it is busy. A run of n rows costs about what a run of one does
 * (onnxruntime-node's per-call overhead dominates a tree ensemble's work), so under load this
 * divides the model's CPU per request, and idle it adds nothing. Scores are the same as one by one
 * (rows are independent). A failed run fails each of its vectors.
 */
export class ModelRuns {
  private readonly queue: Waiting[] = [];
  private busy = false;

  score(model: OnnxModel, features: Float32Array): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ model, features, resolve, reject });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    const first = this.queue[0];
    if (first === undefined) {
      this.busy = false;
      return;
    }
    this.busy = true;
    // One model per run: the leading vectors for the same model (a swap splits the queue).
    let n = 1;
    while (n < this.queue.length && n < MAX_BATCH && (this.queue[n] as Waiting).model === first.model) n++;
    const batch = this.queue.splice(0, n);
    let run: Promise<ArrayLike<number>>;
    if (n === 1) run = first.model.score(first.features).then((score) => [score]);
    else {
      const width = first.features.length;
      const matrix = new Float32Array(n * width);
      for (let i = 0; i < n; i++) matrix.set((batch[i] as Waiting).features, i * width);
      run = first.model.scoreBatch(matrix, n);
    }
    run
      .then(
        (scores) => {
          for (let i = 0; i < n; i++) (batch[i] as Waiting).resolve(scores[i] as number);
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => this.next());
  }
}
