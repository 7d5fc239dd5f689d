import { configSchema } from './config';

/**
 * The event-time settings of a service fed historical or simulated events (the simulator writes
 * 2018 timestamps): every age the schema allows, and the default skew. Whatever starts a service
 * on such data (`fraudctl bench`, test helpers) sets these explicitly; production keeps the
 * defaults (see EVENT_MAX_AGE_S).
 */
export const REPLAY_EVENT_TIMES: Readonly<Record<'EVENT_MAX_AGE_S' | 'EVENT_MAX_SKEW_S', string>> = {
  EVENT_MAX_AGE_S: String(configSchema.properties.EVENT_MAX_AGE_S.maximum),
  EVENT_MAX_SKEW_S: String(configSchema.properties.EVENT_MAX_SKEW_S.default),
};
