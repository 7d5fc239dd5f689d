/**
 * The simulated transactions as a struct of typed arrays, one row per transaction. Rows of a
 * finished table are in time order (see `time-order.ts`); `fraud`, `scenario` and `amountMinor`
 * are then set by the fraud scenarios.
 */
export interface TransactionTable {
  readonly length: number;
  /** Day since the world's start date (day 0). */
  readonly day: Int32Array;
  /** Second of the day, 1 .. 86399. */
  readonly second: Int32Array;
  readonly customer: Int32Array;
  readonly terminal: Int32Array;
  /** Amount in euro cents, an integer >= 1 (float64 so x5 fraud amounts stay exact). */
  readonly amountMinor: Float64Array;
  /** Channel as its index in the features' CHANNELS. */
  readonly channel: Uint8Array;
  /** 1 = fraud. */
  readonly fraud: Uint8Array;
  /** Number of the last fraud scenario that marked the row; 0 = legitimate. */
  readonly scenario: Uint8Array;
}

/** An empty table with room for `n` rows (all columns zero). */
export function allocateTable(n: number): TransactionTable {
  return {
    length: n,
    day: new Int32Array(n),
    second: new Int32Array(n),
    customer: new Int32Array(n),
    terminal: new Int32Array(n),
    amountMinor: new Float64Array(n),
    channel: new Uint8Array(n),
    fraud: new Uint8Array(n),
    scenario: new Uint8Array(n),
  };
}

/** A new table whose row `i` is `source`'s row `order[i]`. */
export function permuteRows(source: TransactionTable, order: Int32Array): TransactionTable {
  const t = allocateTable(order.length);
  for (let i = 0; i < order.length; i += 1) {
    const r = order[i] as number;
    t.day[i] = source.day[r] as number;
    t.second[i] = source.second[r] as number;
    t.customer[i] = source.customer[r] as number;
    t.terminal[i] = source.terminal[r] as number;
    t.amountMinor[i] = source.amountMinor[r] as number;
    t.channel[i] = source.channel[r] as number;
    t.fraud[i] = source.fraud[r] as number;
    t.scenario[i] = source.scenario[r] as number;
  }
  return t;
}

/** Rows `from .. to - 1` as views sharing `source`'s buffers (no copy). */
export function sliceRows(source: TransactionTable, from: number, to: number): TransactionTable {
  return {
    length: to - from,
    day: source.day.subarray(from, to),
    second: source.second.subarray(from, to),
    customer: source.customer.subarray(from, to),
    terminal: source.terminal.subarray(from, to),
    amountMinor: source.amountMinor.subarray(from, to),
    channel: source.channel.subarray(from, to),
    fraud: source.fraud.subarray(from, to),
    scenario: source.scenario.subarray(from, to),
  };
}
