import { CHANNELS, formatRfc3339, type Channel, type LabelEvent, type Transaction } from '../../../features';
import { transactionTime, type SimulationResult } from '../simulation';
import { customerId, terminalId, transactionId } from './ids';

/** One line of the simulated stream. */
export type SimEvent = ({ readonly type: 'transaction' } & Transaction) | ({ readonly type: 'label' } & LabelEvent);

/** The transaction event of period row `row` (fields in a fixed order, so lines are byte-stable). */
export function transactionEvent(r: SimulationResult, row: number): SimEvent {
  const { table, population } = r;
  const customer = table.customer[row] as number;
  const terminal = table.terminal[row] as number;
  return {
    type: 'transaction',
    transactionId: transactionId(r.firstIndex + row),
    timestamp: formatRfc3339(transactionTime(r, row)),
    userId: customerId(customer),
    merchantId: terminalId(terminal),
    amountMinor: table.amountMinor[row] as number,
    currency: 'EUR',
    channel: CHANNELS[table.channel[row] as number] as Channel,
    mcc: population.terminalContext.mcc[terminal] as string,
    merchantCountry: population.terminalContext.country[terminal] as string,
    userCountry: population.customerContext.country[customer] as string,
  };
}

/** The label event `i` of `r.labels` (a chargeback confirming fraud). */
export function labelEvent(r: SimulationResult, i: number): SimEvent {
  return {
    type: 'label',
    transactionId: transactionId(r.firstIndex + (r.labels.row[i] as number)),
    label: 'fraud',
    source: 'chargeback',
    reportedAt: formatRfc3339(r.labels.reportedAt[i] as number),
  };
}
