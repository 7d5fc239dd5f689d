import { profileEntries, writeSnapshot } from '../../store/profile-snapshot';
import { buildDataset } from '../../training/dataset/build-dataset';
import { createValidators } from '../../validation/validators';
import { parseOptions, requireOption } from '../args';
import { printJson, type Command } from '../command';
import { createProgress } from '../progress';

export const buildDatasetCommand: Command = {
  name: 'build-dataset',
  summary: 'replay an event stream through features/ into a training matrix',
  usage: 'build-dataset --in FILE --out DIR [--snapshot FILE] [--json]',
  async run(args, io) {
    const { values } = parseOptions(args, { in: { type: 'string' }, out: { type: 'string' }, snapshot: { type: 'string' }, json: { type: 'boolean' } });
    const input = requireOption('in', values.in);
    const outDir = requireOption('out', values.out);
    const json = values.json === true;
    const started = process.hrtime.bigint();
    let progress: ReturnType<typeof createProgress> | undefined;
    const result = await buildDataset({
      input,
      outDir,
      validators: createValidators(),
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
