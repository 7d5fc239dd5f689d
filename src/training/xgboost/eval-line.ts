/**
 * Parses XGBoost's evaluation line ("[12]\ttrain-aucpr:0.91\tvalid-aucpr:0.87") into scores keyed
 * "<set name>-<metric>". Values that are not numbers (e.g. "nan") parse to NaN.
 * Throws SyntaxError when an entry has no "name:value" form.
 */
export function parseEvalLine(line: string): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const entry of line.trim().split(/\s+/)) {
    if (entry === '' || /^\[\d+\]$/.test(entry)) continue;
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) throw new SyntaxError(`unexpected XGBoost evaluation entry "${entry}" in "${line}"`);
    scores[entry.slice(0, colon)] = Number(entry.slice(colon + 1));
  }
  return scores;
}
