import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339 } from '../../../../features';
import { readScenarioFile, scenarioFileOf, scenarioFilePath, simulate, summarize, transactionId, writeEventsToFile, writeScenarioFile } from '../../../../src/sim';
import { buildDataset } from '../../../../src/training/dataset/build-dataset';
import { loadDataset } from '../../../../src/training/dataset/load-dataset';
import { createValidators } from '../../../../src/validation/validators';

const validators = createValidators();

describe('the simulator\'s scenarios, carried into the dataset', () => {
  it('names every fraud\'s scenario beside the stream, and build-dataset writes them as a column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-scenarios-'));
    const r = simulate({ customers: 150, terminals: 400, days: 40 });
    const events = join(dir, 'events.ndjson');
    writeEventsToFile(r, events);
    expect(scenarioFilePath(events)).toBe(join(dir, 'events.scenarios.json'));
    expect(scenarioFilePath('stream')).toBe('stream.scenarios.json');
    writeScenarioFile(r, scenarioFilePath(events));
    const file = readScenarioFile(scenarioFilePath(events));
    expect(file).toEqual(scenarioFileOf(r));
    expect(file.scenarios).toEqual({ '1': 'amount-threshold', '2': 'compromised-terminals', '3': 'compromised-customers' });
    const summary = summarize(r);
    expect(Object.keys(file.frauds)).toHaveLength(summary.frauds);

    await buildDataset({ input: events, outDir: join(dir, 'out'), validators, decodeWorker: null, scenarios: file });
    const { sidecar } = loadDataset(join(dir, 'out'));
    expect(sidecar.scenarios).toEqual(file.scenarios);
    const column = sidecar.columns.scenario!;
    expect(column).toHaveLength(sidecar.rows);
    const byScenario: Record<string, number> = {};
    column.forEach((s, row) => {
      if (s > 0) byScenario[String(s)] = (byScenario[String(s)] ?? 0) + 1;
      expect(s).toBe(file.frauds[sidecar.columns.transactionId[row] as string] ?? 0);
    });
    expect(byScenario).toEqual(Object.fromEntries(Object.entries(summary.byScenario).filter(([, n]) => n > 0)));
    expect(sidecar.columns.transactionId[0]).toBe(transactionId(r.firstIndex));

    // Without a scenario file, the sidecar is as before: no names, no column.
    await buildDataset({ input: events, outDir: join(dir, 'plain'), validators, decodeWorker: null });
    const plain = loadDataset(join(dir, 'plain')).sidecar;
    expect(plain.scenarios).toBeUndefined();
    expect(plain.columns.scenario).toBeUndefined();
  }, 60_000);

  it('reads only the file\'s own entries (an id like "constructor" is no fraud) and refuses a file that is not one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-scenarios-'));
    const input = join(dir, 'events.ndjson');
    const t0 = Date.UTC(2018, 3, 1) / 1000;
    const txn = (id: string, i: number) => JSON.stringify({ type: 'transaction', transactionId: id, timestamp: formatRfc3339(t0 + i * 60), userId: 'c1', merchantId: 'm1', amountMinor: 1000, currency: 'EUR' });
    writeFileSync(input, `${[txn('constructor', 0), txn('t1', 1), txn('toString', 2)].join('\n')}\n`);
    await buildDataset({ input, outDir: join(dir, 'out'), validators, decodeWorker: null, scenarios: { format: 'fraud-scenarios/v1', scenarios: { '2': 'x' }, frauds: { t1: 2 } } });
    expect(loadDataset(join(dir, 'out')).sidecar.columns.scenario).toEqual([0, 2, 0]);
    writeFileSync(join(dir, 'bad.json'), '{"format":"other"}');
    expect(() => readScenarioFile(join(dir, 'bad.json'))).toThrow(`${join(dir, 'bad.json')}: not a fraud-scenarios/v1 file`);
  });
});
