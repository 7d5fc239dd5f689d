import { allocateTable, sliceRows, type TransactionTable } from './transaction-table';

/** Appends rows to a growing {@link TransactionTable} (doubling capacity). */
export interface TableBuilder {
  push(day: number, second: number, customer: number, terminal: number, amountMinor: number, channel: number): void;
  /** The rows pushed so far, in push order. The builder must not be used afterwards. */
  finish(): TransactionTable;
}

/** A builder with an initial capacity hint (rows). */
export function createTableBuilder(capacityHint: number): TableBuilder {
  let t = allocateTable(Math.max(16, Math.ceil(capacityHint)));
  let n = 0;
  const grow = (): void => {
    const bigger = allocateTable(t.length * 2);
    bigger.day.set(t.day);
    bigger.second.set(t.second);
    bigger.customer.set(t.customer);
    bigger.terminal.set(t.terminal);
    bigger.amountMinor.set(t.amountMinor);
    bigger.channel.set(t.channel);
    t = bigger;
  };
  return {
    push(day, second, customer, terminal, amountMinor, channel) {
      if (n === t.length) grow();
      t.day[n] = day;
      t.second[n] = second;
      t.customer[n] = customer;
      t.terminal[n] = terminal;
      t.amountMinor[n] = amountMinor;
      t.channel[n] = channel;
      n += 1;
    },
    finish() {
      return sliceRows(t, 0, n);
    },
  };
}
