import { readFileSync, writeFileSync } from 'node:fs';
import type { SimulationResult } from '../simulation';
import { transactionId } from './ids';

/**
 * The fraud scenario of every simulated fraud, beside the event stream (`events.scenarios.json`
 * for `events.ndjson`): the stream itself follows the transaction contract, which has no place for
 * it, and the simulator's ground truth is not something a payment backend would send. `build-dataset`
 * reads it into the dataset's `scenario` column; the model report breaks recall down by it.
 */
export interface ScenarioFile {
  readonly format: 'fraud-scenarios/v1';
  /** Scenario names by number (as a string), e.g. `{"1": "amount-threshold"}`. */
  readonly scenarios: Readonly<Record<string, string>>;
  /** The scenario number of each fraudulent transaction of the stream, by transaction id. */
  readonly frauds: Readonly<Record<string, number>>;
}

/** Where the scenario file of an event stream goes: `.ndjson` replaced by (or else followed by) `.scenarios.json`. */
export function scenarioFilePath(eventsPath: string): string {
  return `${eventsPath.replace(/\.ndjson$/, '')}.scenarios.json`;
}

/** The scenario file of a simulated period: every fraud row's final scenario number. */
export function scenarioFileOf(r: SimulationResult): ScenarioFile {
  const frauds: Record<string, number> = {};
  const { fraud, scenario, length } = r.table;
  for (let row = 0; row < length; row++) if (fraud[row] === 1) frauds[transactionId(r.firstIndex + row)] = scenario[row] as number;
  return { format: 'fraud-scenarios/v1', scenarios: Object.fromEntries(r.scenarios.map((s) => [String(s.id), s.name])), frauds };
}

/** Writes {@link scenarioFileOf} to `path` (created or truncated); throws the file system's error. */
export function writeScenarioFile(r: SimulationResult, path: string): void {
  writeFileSync(path, `${JSON.stringify(scenarioFileOf(r))}\n`);
}

/** Reads a scenario file; throws naming `path` when it cannot be read or is not one. */
export function readScenarioFile(path: string): ScenarioFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  const f = parsed as Partial<ScenarioFile> | null;
  if (f === null || typeof f !== 'object' || f.format !== 'fraud-scenarios/v1' || typeof f.scenarios !== 'object' || typeof f.frauds !== 'object') {
    throw new Error(`${path}: not a fraud-scenarios/v1 file`);
  }
  return f as ScenarioFile;
}
