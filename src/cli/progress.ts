import { SingleBar, Presets } from 'cli-progress';
import type { CliIO } from './command';

/** Progress of a long-running command. The quiet one (non-TTY or `--json`) does nothing. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

const QUIET: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr when it is a TTY and `quiet` is false; otherwise a no-op. `total` is in
 * the same unit as the values passed to `update`.
 */
export function createProgress(io: CliIO, label: string, total: number, quiet: boolean): Progress {
  if (quiet || !io.isTTY) return QUIET;
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, stream: io.stderr as NodeJS.WriteStream, hideCursor: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  let last = 0;
  return {
    update(done) {
      // Redrawing costs; only touch the bar when a visible step has passed.
      if (done - last >= total / 500 || done === total) {
        last = done;
        bar.update(done);
      }
    },
    stop() {
      bar.update(total);
      bar.stop();
    },
  };
}
