import type { Validators } from '../../validation/validators';
import type { DecodedColumns } from './decoded-columns';
import { EventBatchWriter, type EventBatch } from './event-batch';
import { EventLineDecoder, type DecodedEvent } from './event-line-decoder';
import { forEachLine } from './ndjson-lines';

/** A line of the input stream that is not a valid event. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * Decodes an NDJSON event stream (`{"type":"transaction",...}` / `{"type":"label",...}`, one per
 * line) into {@link EventBatch}es, handing each to `onBatch` as soon as it is full and the last
 * one (possibly empty) at the end; returns the sidecar columns it knows ({@link DecodedColumns}). Lines go through the
 * fast decoder, and those it leaves alone through `JSON.parse` and the stream validators
 * (`validators()` is called the first time one is needed). Throws {@link InvalidEventError} naming
 * the line and field of the first malformed event.
 */
export function decodeEventFile(input: string, validators: () => Validators, onBatch: (batch: EventBatch) => void): DecodedColumns {
  const decoder = new EventLineDecoder();
  const writer = new EventBatchWriter();
  let bytesRead = 0;
  let slow: Validators | undefined;
  const onLine = (bytes: Buffer, text: string, start: number, end: number, lineNumber: number) => {
    const event = decoder.decode(bytes, text, start, end) ?? parseLine(bytes.toString('utf8', start, end), lineNumber, (slow ??= validators()));
    writer.add(event);
    if (writer.full) onBatch(writer.take(bytesRead));
  };
  forEachLine(input, onLine, (n) => (bytesRead = n));
  onBatch(writer.take(bytesRead));
  return writer.finishColumns();
}

/** The ordinary path for a line the fast decoder left alone: JSON.parse, then the stream validators. */
function parseLine(line: string, lineNumber: number, validators: Validators): DecodedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new InvalidEventError(`line ${lineNumber}: not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidEventError(`line ${lineNumber}: not a JSON object`);
  const type = (parsed as { type?: unknown }).type;
  if (type === 'transaction') {
    if (!validators.streamTransaction(parsed)) throw invalid(lineNumber, validators.streamTransaction.errors());
    return parsed;
  }
  if (type === 'label') {
    if (!validators.streamLabelEvent(parsed)) throw invalid(lineNumber, validators.streamLabelEvent.errors());
    return parsed;
  }
  throw new InvalidEventError(`line ${lineNumber}: /type must be "transaction" or "label"`);
}

function invalid(lineNumber: number, errors: readonly { path: string; message: string }[]): InvalidEventError {
  const first = errors[0];
  return new InvalidEventError(`line ${lineNumber}: ${first === undefined ? 'invalid event' : `${first.path || '/'} ${first.message}`}`);
}
