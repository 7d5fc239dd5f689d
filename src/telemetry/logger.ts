import { ecsFormat } from '@elastic/ecs-pino-format';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The service logger: JSON lines in ECS format on stdout (Filebeat ships them to Elasticsearch
 * for Kibana). `destination` is injectable for tests.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { ...ecsFormat({ convertErr: true }), level, base: { service: { name: 'fraud-scoring' } } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
