import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, ConfigError, loadConfig } from '../../../src/config/config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment, frozen', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 8080, HOST: '0.0.0.0', PROFILE_STORE: 'memory', DECISION_LOG: 'sqlite', SCORE_BUDGET_MS: 50, STORE_TIMEOUT_MS: 20, DEGRADED_POLICY: 'score' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('coerces numbers and ignores variables it does not own', () => {
    expect(loadConfig({ PORT: '9000', SCORE_BUDGET_MS: '25.5', PATH: '/bin', HOME: '/root' })).toMatchObject({ PORT: 9000, SCORE_BUDGET_MS: 25.5 });
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', PROFILE_STORE: 'mongo', DECISION_EVENT_SAMPLE_RATE: '2' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain('PORT must be integer (got "eighty")');
    expect(message).toContain('PROFILE_STORE must be one of memory, redis, couchbase (got "mongo")');
    expect(message).toContain('DECISION_EVENT_SAMPLE_RATE must be <= 1 (got "2")');
  });

  it('bounds event times: 300 s ahead at most (one 5-minute profile bucket), 7 days back by default', () => {
    expect(loadConfig({})).toMatchObject({ EVENT_MAX_SKEW_S: 300, EVENT_MAX_AGE_S: 604_800 });
    expect(loadConfig({ EVENT_MAX_SKEW_S: '0', EVENT_MAX_AGE_S: '10000000000' })).toMatchObject({ EVENT_MAX_SKEW_S: 0, EVENT_MAX_AGE_S: 10_000_000_000 });
    expect(() => loadConfig({ EVENT_MAX_SKEW_S: '301' })).toThrow('EVENT_MAX_SKEW_S must be <= 300 (got "301")');
    expect(() => loadConfig({ EVENT_MAX_AGE_S: '10000000001' })).toThrow('EVENT_MAX_AGE_S must be <= 10000000000 (got "10000000001")');
  });

  it('checks settings that depend on each other', () => {
    expect(() => loadConfig({ STORE_TIMEOUT_MS: '60' })).toThrow('STORE_TIMEOUT_MS must be below SCORE_BUDGET_MS (50)');
    expect(() => loadConfig({ DECISION_LOG: 'postgres' })).toThrow('DATABASE_URL is required when DECISION_LOG=postgres');
    expect(() => loadConfig({ PROFILE_STORE: 'couchbase' })).toThrow('COUCHBASE_CONNSTR is required when PROFILE_STORE=couchbase');
  });

  it('is documented: the README configuration table lists exactly the schema variables', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## fraudctl'));
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.keys(configSchema.properties).sort());
  });
});
