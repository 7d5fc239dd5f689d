import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimulationResult } from '../simulation';
import { arrivalOrder } from './arrival-order';
import { labelEvent, transactionEvent, type SimEvent } from './events';

/** Characters buffered before a chunk is handed to the sink (~1 MB). */
const CHUNK_CHARS = 1 << 20;

/** Receives the NDJSON text in order, in chunks of whole lines. */
export type ChunkSink = (chunk: string) => void;

/** What was written. */
export interface WriteStats {
  readonly events: number;
  readonly bytes: number;
}

/**
 * Yields the period's events as objects, in arrival order (see `arrivalOrder`): what
 * `writeEvents` writes, one object per line.
 */
export function* simEvents(r: SimulationResult): Generator<SimEvent> {
  for (const item of arrivalOrder(r)) yield item.kind === 'transaction' ? transactionEvent(r, item.row) : labelEvent(r, item.label);
}

/**
 * Writes the period's events as NDJSON (one JSON object and `\n` per event) to `sink`, in ~1 MB
 * chunks of whole lines. `onProgress(eventsWritten)` is called after every chunk. Output is
 * byte-identical for the same result.
 */
export function writeEvents(r: SimulationResult, sink: ChunkSink, onProgress: (events: number) => void = () => undefined): WriteStats {
  let chunk = '';
  let events = 0;
  let bytes = 0;
  const flush = (): void => {
    sink(chunk);
    bytes += Buffer.byteLength(chunk);
    chunk = '';
    onProgress(events);
  };
  for (const event of simEvents(r)) {
    chunk += `${JSON.stringify(event)}\n`;
    events += 1;
    if (chunk.length >= CHUNK_CHARS) flush();
  }
  if (chunk.length > 0 || events === 0) flush();
  return { events, bytes };
}

/**
 * Writes the events to `path` (created or truncated) with synchronous writes on one descriptor;
 * throws the file system's error (the file may then be partial).
 */
export function writeEventsToFile(r: SimulationResult, path: string, onProgress?: (events: number) => void): WriteStats {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    return writeEvents(
      r,
      (chunk) => {
        const buf = Buffer.from(chunk, 'utf8');
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      },
      onProgress,
    );
  } finally {
    closeSync(fd);
  }
}
