import type { SimulationResult } from './simulation';

/** Headline numbers of a simulated period (the `--json` output minus timing). */
export interface SimulationSummary {
  readonly transactions: number;
  readonly frauds: number;
  /** frauds / transactions (a fraction, not a percentage); 0 for an empty period. */
  readonly fraudRate: number;
  readonly labels: number;
  /** Fraud transactions by final scenario number, one key per scenario (as a string). */
  readonly byScenario: Readonly<Record<string, number>>;
}

/** Counts the period's transactions, frauds, labels and frauds per scenario. */
export function summarize(r: SimulationResult): SimulationSummary {
  const byScenario: Record<string, number> = {};
  for (const s of r.scenarios) byScenario[String(s.id)] = 0;
  let frauds = 0;
  const { fraud, scenario, length } = r.table;
  for (let row = 0; row < length; row += 1) {
    if (fraud[row] !== 1) continue;
    frauds += 1;
    const key = String(scenario[row]);
    byScenario[key] = (byScenario[key] ?? 0) + 1;
  }
  return { transactions: length, frauds, fraudRate: length === 0 ? 0 : frauds / length, labels: r.labels.length, byScenario };
}
