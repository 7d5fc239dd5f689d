import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The service logger: JSON lines in ECS format on stdout (Filebeat ships them to Elasticsearch
 * for Kibana). Stdout is written asynchronously (lines written while a write is in flight are
 * coalesced into the next one), so a line never blocks the request that logs it on a write system
 * call. Call `logger.flush()` before exiting;
 * `startService`'s close does. `destination` is injectable for tests.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(loggerOptions(level), destination ?? pino.destination({ dest: 1, sync: false }));
}

/** The options of every service logger (ECS fields, `service.name`), so all lines look alike. */
export function loggerOptions(level: string): LoggerOptions {
  return { ...ecsFormat({ convertErr: true }), timestamp: ecsTimestamp(() => Date.now()), level, base: { service: { name: 'fraud-scoring' } } };
}

/**
 * The ECS formatter's `@timestamp` field (`,"@timestamp":"<ISO 8601>"`, the same text), formatted
 * once per millisecond of `now` (epoch ms) rather than once per line: under load many lines share
 * a millisecond, and `new Date().toISOString()` is a sizeable part of formatting a decision event.
 */
export function ecsTimestamp(now: () => number): () => string {
  let at = Number.NaN;
  let text = '';
  return () => {
    const ms = now();
    if (ms !== at) {
      at = ms;
      text = `,"@timestamp":"${new Date(ms).toISOString()}"`;
    }
    return text;
  };
}
