import { CHANNELS, COUNTRY_CODES, CURRENCY_CODES, LABEL_SOURCES, labelEventSchema, transactionTime, type LabelEvent, type Transaction } from '../../../features';
import { EntityIndex } from './entity-index';
import type { DecodedEvent } from './event-line-decoder';
import { ColumnText, type DecodedColumns } from './decoded-columns';
import { TransactionIdIndex } from './transaction-id-index';

/**
 * Decoded events on their way from the thread that decodes the input to the thread that replays
 * them, in a form that crosses threads as three transferred buffers: per event a fixed record of
 * int32 fields and a float64 amount, and the bytes of its strings. Ids are resolved on the decoding
 * side: users and merchants to numbers in first-seen order (an id is sent once, in the batch that
 * numbers it), transaction ids to rows (a repeated one becomes a bare duplicate record, a label's
 * to the row of its transaction). Codes (currency, country, channel, category, label, source) are
 * sent as their index in the contract's code lists, so the replaying side gets the same interned
 * strings every time.
 */
export interface EventBatch {
  readonly count: number;
  /** {@link STRIDE} int32 per event (see `Slot`). */
  readonly fields: ArrayBuffer;
  /** One float64 per event: a transaction's `amountMinor`. */
  readonly amounts: ArrayBuffer;
  /** Latin1 bytes of the events' strings, in event order (see `Slot.FirstLength`), `textLength` of them. */
  readonly text: ArrayBuffer;
  readonly textLength: number;
  /** User and merchant ids numbered for the first time in this batch, in number order. */
  readonly newUsers: readonly string[];
  readonly newMerchants: readonly string[];
  /** Bytes of the input consumed when the batch was cut. */
  readonly bytesRead: number;
}

/** Events per batch. */
export const BATCH_EVENTS = 8_192;

const enum Kind {
  Transaction,
  DuplicateTransaction,
  Label,
}

const enum Slot {
  Kind,
  /** Transaction: the user's number. Label: the transaction's row, -1 when unknown. */
  User,
  /** Transaction: the merchant's number. Label: index of the label. */
  Merchant,
  /** Transaction: index of the currency. Label: index of the source. */
  Code,
  /** Index + 1 of each optional field (0 = absent); the category code is its value + 1. */
  Channel,
  Mcc,
  MerchantCountry,
  UserCountry,
  /** Lengths of the event's two strings in `text`: transactionId, then timestamp or reportedAt. */
  FirstLength,
  SecondLength,
}

const STRIDE = 10;
/** Most text bytes an event can have: a 64-character id and a 40-character time (the contract's limits). */
const MAX_TEXT = 104;

const LABELS = labelEventSchema.properties.label.enum;
const indexes = (codes: readonly string[]) => new Map(codes.map((c, i) => [c, i]));
const CURRENCY_INDEX = indexes(CURRENCY_CODES);
const COUNTRY_INDEX = indexes(COUNTRY_CODES);
const CHANNEL_INDEX = indexes(CHANNELS);
const LABEL_INDEX = indexes(LABELS);
const SOURCE_INDEX = indexes(LABEL_SOURCES);

/** Index of a code the validators accepted; a RangeError for one outside the list (never for valid input). */
function indexOf(table: ReadonlyMap<string, number>, code: string): number {
  const i = table.get(code);
  if (i === undefined) throw new RangeError(`code ${code} is not in the contract's list`);
  return i;
}

/** Index + 1 of an optional code, 0 when absent. */
const optional = (table: ReadonlyMap<string, number>, code: string | undefined): number => (code === undefined ? 0 : indexOf(table, code) + 1);

/** The value of a 4-digit category code. */
function mccValue(mcc: string): number {
  let v = 0;
  for (let k = 0; k < 4; k++) v = v * 10 + (mcc.charCodeAt(k) - 0x30);
  return v;
}

/**
 * The decoding side: resolves and packs valid events (see {@link EventBatch}) until a batch is
 * {@link full}, then {@link take} hands it over; and writes the sidecar columns it knows as it
 * goes ({@link finishColumns}), so the replaying thread does not have to at the end.
 */
export class EventBatchWriter {
  private readonly users = new EntityIndex();
  private readonly merchants = new EntityIndex();
  private readonly rows = new TransactionIdIndex();
  private readonly columns = { transactionId: new ColumnText(), timestamp: new ColumnText(), userId: new ColumnText(), merchantId: new ColumnText() };
  private usersSent = 0;
  private merchantsSent = 0;
  private fields = new Int32Array(BATCH_EVENTS * STRIDE);
  private amounts = new Float64Array(BATCH_EVENTS);
  private text = new Uint8Array(BATCH_EVENTS * MAX_TEXT);
  private textAt = 0;
  private events = 0;

  /** Events in the batch being filled. */
  get count(): number {
    return this.events;
  }

  get full(): boolean {
    return this.events === BATCH_EVENTS;
  }

  /** Adds a valid event (the stream validators' or the fast decoder's). Call {@link take} first when full. */
  add(event: DecodedEvent): void {
    const f = this.fields;
    const at = this.events * STRIDE;
    if (event.type === 'transaction') {
      const before = this.rows.size;
      if (this.rows.findOrAdd(event.transactionId) < before) f[at + Slot.Kind] = Kind.DuplicateTransaction;
      else {
        f[at + Slot.Kind] = Kind.Transaction;
        f[at + Slot.User] = this.users.numberOf(event.userId);
        f[at + Slot.Merchant] = this.merchants.numberOf(event.merchantId);
        f[at + Slot.Code] = indexOf(CURRENCY_INDEX, event.currency);
        f[at + Slot.Channel] = optional(CHANNEL_INDEX, event.channel);
        f[at + Slot.Mcc] = event.mcc === undefined ? 0 : mccValue(event.mcc) + 1;
        f[at + Slot.MerchantCountry] = optional(COUNTRY_INDEX, event.merchantCountry);
        f[at + Slot.UserCountry] = optional(COUNTRY_INDEX, event.userCountry);
        f[at + Slot.FirstLength] = this.string(event.transactionId);
        f[at + Slot.SecondLength] = this.string(event.timestamp);
        this.amounts[this.events] = event.amountMinor;
        const c = this.columns;
        c.transactionId.writer.string(event.transactionId);
        c.timestamp.writer.number(transactionTime(event));
        c.userId.writer.string(event.userId);
        c.merchantId.writer.string(event.merchantId);
      }
    } else {
      f[at + Slot.Kind] = Kind.Label;
      f[at + Slot.User] = this.rows.find(event.transactionId);
      f[at + Slot.Merchant] = indexOf(LABEL_INDEX, event.label);
      f[at + Slot.Code] = indexOf(SOURCE_INDEX, event.source);
      f[at + Slot.FirstLength] = this.string(event.transactionId);
      f[at + Slot.SecondLength] = this.string(event.reportedAt);
    }
    this.events++;
  }

  /** The batch filled so far (possibly empty); the writer starts a new one. */
  take(bytesRead: number): EventBatch {
    const batch: EventBatch = {
      count: this.events,
      fields: this.fields.buffer,
      amounts: this.amounts.buffer,
      text: this.text.buffer,
      textLength: this.textAt,
      newUsers: this.users.ids.slice(this.usersSent),
      newMerchants: this.merchants.ids.slice(this.merchantsSent),
      bytesRead,
    };
    this.usersSent = this.users.size;
    this.merchantsSent = this.merchants.size;
    this.fields = new Int32Array(BATCH_EVENTS * STRIDE);
    this.amounts = new Float64Array(BATCH_EVENTS);
    this.text = new Uint8Array(BATCH_EVENTS * MAX_TEXT);
    this.textAt = 0;
    this.events = 0;
    return batch;
  }

  /** The columns of every transaction added; call once, after the last {@link add}. */
  finishColumns(): DecodedColumns {
    const c = this.columns;
    return { transactionId: c.transactionId.finish(), timestamp: c.timestamp.finish(), userId: c.userId.finish(), merchantId: c.merchantId.finish() };
  }

  /** Appends a string's characters (ASCII by the contract) to the text; returns its length. */
  private string(s: string): number {
    const text = this.text;
    let at = this.textAt;
    for (let k = 0; k < s.length; k++) text[at++] = s.charCodeAt(k);
    this.textAt = at;
    return s.length;
  }
}

/** What the replaying side does with each event of a batch, in stream order. */
export interface EventSink {
  /** A transaction not seen before; its user and merchant numbered in first-seen order. */
  transaction(txn: Transaction, userNumber: number, merchantNumber: number): void;
  /** A transaction id seen before (its event is not passed on). */
  duplicateTransaction(): void;
  /** A label event; `row` is its transaction's row, -1 when that transaction was never seen. */
  label(row: number, event: LabelEvent): void;
}

/**
 * The replaying side: turns batches back into the events they were made from, in order. Holds the
 * ids announced so far, so batches must be read in the order they were taken.
 */
export class EventBatchReader {
  private readonly users: string[] = [];
  private readonly merchants: string[] = [];
  private readonly mcc: (string | undefined)[] = [];

  read(batch: EventBatch, sink: EventSink): void {
    for (const id of batch.newUsers) this.users.push(id);
    for (const id of batch.newMerchants) this.merchants.push(id);
    const f = new Int32Array(batch.fields);
    const amounts = new Float64Array(batch.amounts);
    // One string for the batch's text; each event's strings are slices of it.
    const text = Buffer.from(batch.text, 0, batch.textLength).toString('latin1');
    let t = 0;
    for (let e = 0, at = 0; e < batch.count; e++, at += STRIDE) {
      const kind = f[at + Slot.Kind] as Kind;
      if (kind === Kind.DuplicateTransaction) {
        sink.duplicateTransaction();
        continue;
      }
      const first = text.slice(t, (t += f[at + Slot.FirstLength] as number));
      const second = text.slice(t, (t += f[at + Slot.SecondLength] as number));
      if (kind === Kind.Transaction) {
        const user = f[at + Slot.User] as number;
        const merchant = f[at + Slot.Merchant] as number;
        const channel = f[at + Slot.Channel] as number;
        const mcc = f[at + Slot.Mcc] as number;
        const merchantCountry = f[at + Slot.MerchantCountry] as number;
        const userCountry = f[at + Slot.UserCountry] as number;
        const txn: Transaction = {
          transactionId: first,
          timestamp: second,
          userId: this.users[user] as string,
          merchantId: this.merchants[merchant] as string,
          amountMinor: amounts[e] as number,
          currency: CURRENCY_CODES[f[at + Slot.Code] as number] as string,
          channel: channel === 0 ? undefined : CHANNELS[channel - 1],
          mcc: mcc === 0 ? undefined : this.mccText(mcc - 1),
          merchantCountry: merchantCountry === 0 ? undefined : COUNTRY_CODES[merchantCountry - 1],
          userCountry: userCountry === 0 ? undefined : COUNTRY_CODES[userCountry - 1],
        };
        sink.transaction(txn, user, merchant);
      } else {
        const event: LabelEvent = {
          transactionId: first,
          label: LABELS[f[at + Slot.Merchant] as number] as LabelEvent['label'],
          source: LABEL_SOURCES[f[at + Slot.Code] as number] as LabelEvent['source'],
          reportedAt: second,
        };
        sink.label(f[at + Slot.User] as number, event);
      }
    }
  }

  private mccText(value: number): string {
    let s = this.mcc[value];
    if (s === undefined) {
      s = String(value).padStart(4, '0');
      this.mcc[value] = s;
    }
    return s;
  }
}
