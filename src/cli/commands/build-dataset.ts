import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readScenarioFile, scenarioFilePath, type ScenarioFile } from '../../sim/output/scenario-file';
import { profileEntries, writeSnapshot } from '../../store/profile-snapshot';
import { buildDataset } from '../../training/dataset/build-dataset';
import { createValidators } from '../../validation/validators';
import { parseOptions, requireOption } from '../args';
import { builtScript } from '../built-script';
import { CommandExit, printJson, type Command } from '../command';
import { requireInput } from '../inputs';
import { JSON_OPTION, type OptionSpecs } from '../options';
import { createProgress } from '../progress';

const OPTIONS = {
  in: { type: 'string', value: 'FILE', description: 'the NDJSON event stream to replay (fraudctl simulate writes one)', required: true },
  out: { type: 'string', value: 'DIR', description: 'the dataset directory to write (features.f32 + dataset.json)', required: true },
  snapshot: { type: 'string', value: 'FILE', description: 'also write the profiles at the end of the stream (a PROFILE_SNAPSHOT)', default: 'none' },
  scenarios: {
    type: 'string',
    value: 'FILE',
    description: "the simulator's fraud scenarios, kept in the dataset for the model report's recall per scenario",
    default: 'the scenario file simulate writes beside --in, when there is one',
  },
  json: JSON_OPTION,
} as const satisfies OptionSpecs;

export const buildDatasetCommand: Command = {
  name: 'build-dataset',
  summary: 'replay an event stream through features/ into a training matrix',
  usage: 'build-dataset --in FILE --out DIR [options]',
  options: OPTIONS,
  async run(args, io) {
    const { values } = parseOptions(args, OPTIONS);
    const input = requireInput('event stream', requireOption('in', values.in), '--in');
    const outDir = requireOption('out', values.out);
    const json = values.json === true;
    const beside = scenarioFilePath(input);
    const scenariosPath = values.scenarios ?? (existsSync(beside) ? beside : null);
    let scenarios: ScenarioFile | null = null;
    if (scenariosPath !== null) {
      requireInput('scenario file', scenariosPath, '--scenarios');
      try {
        scenarios = readScenarioFile(scenariosPath);
      } catch (err) {
        throw new CommandExit(`build-dataset: ${(err as Error).message}`, 'invalid_input');
      }
    }
    const started = process.hrtime.bigint();
    let progress: ReturnType<typeof createProgress> | undefined;
    const result = await buildDataset({
      input,
      outDir,
      validators: createValidators(),
      // The decoding runs on a second thread: the built script, also when this runs from sources.
      decodeWorker: builtScript(join(__dirname, '..', '..', 'training', 'dataset', 'decode-worker.js'), join('src', 'training', 'dataset', 'decode-worker.js')),
      scenarios,
      onProgress: (done, total) => {
        progress ??= createProgress(io, 'build-dataset (MB)', Math.ceil(total / 1e6), json);
        progress.update(Math.floor(done / 1e6));
      },
    });
    progress?.stop();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (values.snapshot !== undefined) {
      // The profiles at the end of the stream: what a service started with PROFILE_SNAPSHOT continues from.
      await writeSnapshot(values.snapshot, profileEntries(result.replay.profiles()));
    }
    const summary = {
      rows: result.rows,
      features: result.features,
      specHash: result.specHash,
      eventsPerSecond: Math.round(result.events / seconds),
      seconds: Math.round(seconds * 1000) / 1000,
    };
    if (json) printJson(io, summary);
    else {
      const s = result.sidecar.source;
      io.stderr.write(
        `wrote ${outDir}: ${summary.rows} rows x ${summary.features} features from ${result.events} events ` +
          `(${s.labels} labels applied, ${s.duplicateLabels} duplicate, ${s.unknownTransactionLabels} for unknown transactions) ` +
          `in ${summary.seconds} s (${summary.eventsPerSecond} events/s)\n`,
      );
    }
    return 0;
  },
};
