/**
 * The order in which this service applies updates to profiles (transactions and labels share one
 * sequence). Every decision and applied label records its number, so a replay can apply the same
 * updates in the same order and reproduce the served feature vectors exactly.
 */
export class ApplySequence {
  private last: number;

  /** Continues after `resume` (the largest number already stored). */
  constructor(resume: number) {
    this.last = resume;
  }

  /** The next number; strictly increasing. */
  next(): number {
    this.last += 1;
    return this.last;
  }
}
