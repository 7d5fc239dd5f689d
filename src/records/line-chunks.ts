/**
 * Where to cut a run of lines into writes of at most `limit` bytes each, cutting only between
 * lines: `ends` are the byte offsets where each line ends (ascending; the run starts at 0), the
 * result the offsets where each write ends (the last is the run's end). A single line longer than
 * `limit` is a write of its own. Empty for no lines.
 */
export function lineChunks(ends: readonly number[], limit: number): number[] {
  const cuts: number[] = [];
  let start = 0;
  let last = 0;
  for (const end of ends) {
    if (end - start > limit && last > start) {
      cuts.push(last);
      start = last;
    }
    last = end;
  }
  if (last > start) cuts.push(last);
  return cuts;
}
