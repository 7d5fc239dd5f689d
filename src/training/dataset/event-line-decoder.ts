import { CHANNELS, COUNTRY_CODES, CURRENCY_CODES, FORMAT_CHECKERS, hasReferenceRate, LABEL_SOURCES, labelEventSchema, MAX_AMOUNT_MINOR, REFERENCE_CURRENCY, transactionTime } from '../../../features';
import { FNV_OFFSET, FNV_PRIME } from '../../hashing/string-hash';
import type { StreamLabelEvent, StreamTransaction } from '../../validation/validators';

/** A stream line the fast path decoded: valid by the event contract, exactly what `JSON.parse` gives. */
export type DecodedEvent = StreamTransaction | StreamLabelEvent;

// Field indexes; a key is identified by its bytes, never turned into a string.
const enum Field {
  Type,
  TransactionId,
  Timestamp,
  UserId,
  MerchantId,
  AmountMinor,
  Currency,
  Channel,
  Mcc,
  MerchantCountry,
  UserCountry,
  Label,
  Source,
  ReportedAt,
}

const KEYS = ['type', 'transactionId', 'timestamp', 'userId', 'merchantId', 'amountMinor', 'currency', 'channel', 'mcc', 'merchantCountry', 'userCountry', 'label', 'source', 'reportedAt'];
const TXN_REQUIRED = (1 << Field.Type) | (1 << Field.TransactionId) | (1 << Field.Timestamp) | (1 << Field.UserId) | (1 << Field.MerchantId) | (1 << Field.AmountMinor) | (1 << Field.Currency);
const TXN_ALLOWED = TXN_REQUIRED | (1 << Field.Channel) | (1 << Field.Mcc) | (1 << Field.MerchantCountry) | (1 << Field.UserCountry);
const LABEL_REQUIRED = (1 << Field.Type) | (1 << Field.TransactionId) | (1 << Field.Label) | (1 << Field.Source) | (1 << Field.ReportedAt);

/** Characters allowed in ids: the character class of `ID_PATTERN`. */
const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-') ID_CHAR[c.charCodeAt(0)] = 1;
const MAX_ID = 64;
/** `maxLength` of the two time fields. */
const MAX_TIME = 40;
/** Digits of MAX_AMOUNT_MINOR; a longer integer is out of range (and goes to the slow path). */
const MAX_AMOUNT_DIGITS = String(MAX_AMOUNT_MINOR).length;

/** Code lists keyed by their characters packed into an integer, mapped to the one string per code. */
function codeTable(codes: readonly string[], ok: (code: string) => boolean): Map<number, string> {
  const table = new Map<number, string>();
  for (const code of codes) if (ok(code)) table.set(pack(ascii(code), 0, code.length), code);
  return table;
}

function pack(bytes: ArrayLike<number>, at: number, length: number): number {
  let v = 0;
  for (let k = 0; k < length; k++) v = v * 256 + (bytes[at + k] as number);
  return v;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const CURRENCY = codeTable(CURRENCY_CODES, FORMAT_CHECKERS.iso4217);
const COUNTRY = codeTable(COUNTRY_CODES, FORMAT_CHECKERS['iso3166-alpha2']);
const KEY_BYTES = KEYS.map(ascii);
/** Each key followed by its closing quote and the colon. */
const KEY_COLON = KEYS.map((k) => ascii(`${k}":`));
const TRANSACTION = ascii('transaction');
const LABEL = ascii('label');
const choices = <T extends string>(values: readonly T[]) => values.map((value) => ({ bytes: ascii(value), value }));
const ENUMS = {
  channel: choices(CHANNELS),
  label: choices(labelEventSchema.properties.label.enum),
  source: choices(LABEL_SOURCES),
};

/** True when `bytes` holds `want` at `at` (the caller has checked that it fits). */
function startsWith(bytes: Uint8Array, at: number, want: Uint8Array): boolean {
  for (let k = 0; k < want.length; k++) if (bytes[at + k] !== want[k]) return false;
  return true;
}

/** True when `bytes[at, end)` are exactly `want`. */
function equalsAt(bytes: Uint8Array, at: number, end: number, want: Uint8Array): boolean {
  if (end - at !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (bytes[at + k] !== want[k]) return false;
  return true;
}

function enumValue<T>(bytes: Uint8Array, at: number, end: number, options: readonly { bytes: Uint8Array; value: T }[]): T | undefined {
  for (const o of options) if (equalsAt(bytes, at, end, o.bytes)) return o.value;
  return undefined;
}

/**
 * The fast path of `build-dataset`: decodes one NDJSON line when it is in a strict subset of JSON
 * and of the event contract, which is what `fraudctl simulate` and any compact serializer write:
 * one object, no whitespace, string values of printable ASCII without escapes, `amountMinor` a
 * plain integer, no field twice. It checks exactly the contract's rules (the `features/`
 * predicates, code lists and id pattern), so whatever it returns equals `JSON.parse(line)` and
 * passes the stream validators; a differential test holds it to that. Anything else, valid or not,
 * gives `undefined`: the caller then parses and validates the line the ordinary way (JSON.parse +
 * ajv), which also words the error.
 *
 * Ids, currencies, countries, channels and category codes come back as one shared string per value
 * (interned), so the profile maps and sets downstream compare them by identity. The pool holds every
 * distinct user and merchant id seen, like the replay's profile maps do.
 */
export class EventLineDecoder {
  private readonly starts = new Int32Array(KEYS.length);
  private readonly ends = new Int32Array(KEYS.length);
  /** Interned user and merchant ids: an open-addressing table of hashes of their bytes. */
  private internSlots = new Int32Array(1 << 12);
  private readonly internHashes: number[] = [];
  private readonly internIds: string[] = [];
  private readonly mcc: (string | undefined)[] = [];

  /**
   * Decodes one line (no newline) or returns undefined (see the class comment). The line is
   * `bytes[start, end)`, and `text` is the same bytes decoded as latin1 (one character per byte, so
   * positions agree): scanning reads bytes, values are cut from the text.
   */
  decode(bytes: Uint8Array, text: string, start: number, end: number): DecodedEvent | undefined {
    const { starts, ends } = this;
    let seen = 0;
    let numbers = 0;
    let next = 0;
    let i = start;
    if (bytes[i++] !== 0x7b) return undefined;
    for (;;) {
      if (i >= end || bytes[i++] !== 0x22) return undefined;
      let field = next;
      const expected = KEY_COLON[next] as Uint8Array;
      // Keys usually come in KEYS order: the expected key with its closing quote and colon, then at
      // least one byte of value, is matched in one pass; any other key is scanned for its quote.
      if (i + expected.length < end && startsWith(bytes, i, expected)) i += expected.length;
      else {
        const ks = i;
        while (i < end && bytes[i] !== 0x22) i++;
        // A key, its closing quote, the colon and at least one byte of value.
        if (i + 2 >= end) return undefined;
        field = fieldOf(bytes, ks, i, next);
        if (field < 0 || bytes[i + 1] !== 0x3a) return undefined;
        i += 2;
      }
      if ((seen & (1 << field)) !== 0) return undefined;
      seen |= 1 << field;
      next = field + 1 === KEYS.length ? 0 : field + 1;
      const c = bytes[i] as number;
      if (c === 0x22) {
        // Every string field's content is checked strictly below (id characters, code lists,
        // enums, the RFC 3339 grammar), and none admits a backslash, a control character or
        // non-ASCII: a value holding an escape fails there and goes to JSON.parse.
        const vs = ++i;
        while (i < end && bytes[i] !== 0x22) i++;
        if (i >= end) return undefined;
        starts[field] = vs;
        ends[field] = i++;
      } else if (c >= 0x31 && c <= 0x39) {
        const vs = i;
        while (i < end && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39) i++;
        starts[field] = vs;
        ends[field] = i;
        numbers |= 1 << field;
      } else return undefined;
      if (i >= end) return undefined;
      const sep = bytes[i++];
      if (sep === 0x7d) break;
      if (sep !== 0x2c) return undefined;
    }
    if (i !== end) return undefined;
    if (equalsAt(bytes, starts[Field.Type] as number, ends[Field.Type] as number, TRANSACTION)) {
      if ((seen & TXN_REQUIRED) !== TXN_REQUIRED || (seen & ~TXN_ALLOWED) !== 0 || numbers !== 1 << Field.AmountMinor) return undefined;
      return this.transaction(bytes, text, seen);
    }
    if (equalsAt(bytes, starts[Field.Type] as number, ends[Field.Type] as number, LABEL)) {
      if (seen !== LABEL_REQUIRED || numbers !== 0) return undefined;
      return this.label(bytes, text);
    }
    return undefined;
  }

  private transaction(bytes: Uint8Array, text: string, seen: number): StreamTransaction | undefined {
    const { starts, ends } = this;
    const transactionId = this.id(bytes, text, Field.TransactionId, false);
    const timestamp = time(text, starts[Field.Timestamp] as number, ends[Field.Timestamp] as number);
    const userId = this.id(bytes, text, Field.UserId, true);
    const merchantId = this.id(bytes, text, Field.MerchantId, true);
    const as = starts[Field.AmountMinor] as number;
    const ae = ends[Field.AmountMinor] as number;
    if (ae - as > MAX_AMOUNT_DIGITS) return undefined;
    let amountMinor = 0;
    for (let k = as; k < ae; k++) amountMinor = amountMinor * 10 + ((bytes[k] as number) - 0x30);
    const currency = CURRENCY.get(code(bytes, starts[Field.Currency] as number, ends[Field.Currency] as number, 3));
    if (transactionId === undefined || timestamp === undefined || userId === undefined || merchantId === undefined || amountMinor > MAX_AMOUNT_MINOR || currency === undefined) {
      return undefined;
    }
    // A currency without a reference rate on that day is the validators' to refuse (with its message).
    if (currency !== REFERENCE_CURRENCY && !hasReferenceRate(currency, transactionTime({ timestamp }))) return undefined;
    let channel: StreamTransaction['channel'];
    let mcc: string | undefined;
    let merchantCountry: string | undefined;
    let userCountry: string | undefined;
    if ((seen & (1 << Field.Channel)) !== 0) {
      channel = enumValue(bytes, starts[Field.Channel] as number, ends[Field.Channel] as number, ENUMS.channel);
      if (channel === undefined) return undefined;
    }
    if ((seen & (1 << Field.Mcc)) !== 0) {
      mcc = this.mccOf(bytes, text, starts[Field.Mcc] as number, ends[Field.Mcc] as number);
      if (mcc === undefined) return undefined;
    }
    if ((seen & (1 << Field.MerchantCountry)) !== 0) {
      merchantCountry = COUNTRY.get(code(bytes, starts[Field.MerchantCountry] as number, ends[Field.MerchantCountry] as number, 2));
      if (merchantCountry === undefined) return undefined;
    }
    if ((seen & (1 << Field.UserCountry)) !== 0) {
      userCountry = COUNTRY.get(code(bytes, starts[Field.UserCountry] as number, ends[Field.UserCountry] as number, 2));
      if (userCountry === undefined) return undefined;
    }
    // Every optional field present (the usual line): one object of one shape, built at once.
    if (channel !== undefined && mcc !== undefined && merchantCountry !== undefined && userCountry !== undefined) {
      return { type: 'transaction', transactionId, timestamp, userId, merchantId, amountMinor, currency, channel, mcc, merchantCountry, userCountry };
    }
    const txn: { -readonly [K in keyof StreamTransaction]: StreamTransaction[K] } = { type: 'transaction', transactionId, timestamp, userId, merchantId, amountMinor, currency };
    if (channel !== undefined) txn.channel = channel;
    if (mcc !== undefined) txn.mcc = mcc;
    if (merchantCountry !== undefined) txn.merchantCountry = merchantCountry;
    if (userCountry !== undefined) txn.userCountry = userCountry;
    return txn;
  }

  private label(bytes: Uint8Array, text: string): StreamLabelEvent | undefined {
    const { starts, ends } = this;
    const transactionId = this.id(bytes, text, Field.TransactionId, false);
    const label = enumValue(bytes, starts[Field.Label] as number, ends[Field.Label] as number, ENUMS.label);
    const source = enumValue(bytes, starts[Field.Source] as number, ends[Field.Source] as number, ENUMS.source);
    const reportedAt = time(text, starts[Field.ReportedAt] as number, ends[Field.ReportedAt] as number);
    if (transactionId === undefined || label === undefined || source === undefined || reportedAt === undefined) return undefined;
    return { type: 'label', transactionId, label, source, reportedAt };
  }

  /** The id in `field` when it matches `ID_PATTERN`; user and merchant ids interned. */
  private id(bytes: Uint8Array, text: string, field: Field, intern: boolean): string | undefined {
    const s = this.starts[field] as number;
    const e = this.ends[field] as number;
    if (e - s < 1 || e - s > MAX_ID) return undefined;
    let h = FNV_OFFSET;
    for (let k = s; k < e; k++) {
      const c = bytes[k] as number;
      if (ID_CHAR[c] !== 1) return undefined;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    if (!intern) return ownCopy(text.slice(s, e));
    // Looked up by the bytes, so a known id costs no string: no slice, and no Map look-up hashing
    // a new string and comparing it with the key.
    const mask = this.internSlots.length - 1;
    let slot = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const at = (this.internSlots[slot] as number) - 1;
      if (at < 0) break;
      if (this.internHashes[at] === h && sameChars(this.internIds[at] as string, bytes, s, e)) return this.internIds[at];
      slot = (slot + 1) & mask;
    }
    const own = ownCopy(text.slice(s, e));
    this.internIds.push(own);
    this.internHashes.push(h);
    this.internSlots[slot] = this.internIds.length;
    if (2 * this.internIds.length > this.internSlots.length) this.growIntern();
    return own;
  }

  private growIntern(): void {
    const slots = new Int32Array(this.internSlots.length * 2);
    const mask = slots.length - 1;
    for (let i = 0; i < this.internIds.length; i++) {
      const h = this.internHashes[i] as number;
      let slot = (h ^ (h >>> 16)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
    this.internSlots = slots;
  }

  private mccOf(bytes: Uint8Array, text: string, s: number, e: number): string | undefined {
    if (e - s !== 4) return undefined;
    let v = 0;
    for (let k = s; k < e; k++) {
      const d = (bytes[k] as number) - 0x30;
      if (d < 0 || d > 9) return undefined;
      v = v * 10 + d;
    }
    let value = this.mcc[v];
    if (value === undefined) {
      value = text.slice(s, e);
      this.mcc[v] = value;
    }
    return value;
  }
}

/**
 * `value` not sharing the chunk's memory. V8 may make a slice of 13 or more characters a view into
 * its parent (the whole chunk); a kept id must not pin the chunk. Concatenation then slice yields a
 * string whose parent is only the id itself.
 */
function ownCopy(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** True when `value` has exactly the characters of the ASCII bytes `bytes[s, e)`. */
function sameChars(value: string, bytes: Uint8Array, s: number, e: number): boolean {
  if (value.length !== e - s) return false;
  for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) !== bytes[s + k]) return false;
  return true;
}

/** The field whose key is `text[s, e)`, or -1; tried from `hint` on (keys usually come in KEYS order). */
function fieldOf(bytes: Uint8Array, s: number, e: number, hint: number): number {
  for (let n = 0, f = hint; n < KEY_BYTES.length; n++, f = f + 1 === KEY_BYTES.length ? 0 : f + 1) {
    if (equalsAt(bytes, s, e, KEY_BYTES[f] as Uint8Array)) return f;
  }
  return -1;
}

/** Packed characters of a code of exactly `length` characters, or -1. */
function code(bytes: Uint8Array, s: number, e: number, length: number): number {
  return e - s === length ? pack(bytes, s, length) : -1;
}

function time(text: string, s: number, e: number): string | undefined {
  if (e - s > MAX_TIME) return undefined;
  const value = text.slice(s, e);
  return FORMAT_CHECKERS.rfc3339(value) ? value : undefined;
}
