import type { StepResult } from './load-step';
import type { BenchReport, ServiceStep } from './run-bench';
import { STAGES } from './server-timings';

const num = (x: number, digits = 2) => (Number.isNaN(x) ? '-' : x.toFixed(digits));

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
}

function stepCells(target: string, s: StepResult): string[] {
  return [
    target,
    s.rate === null ? `max (${s.connections} conn)` : String(s.rate),
    String(s.throughputRps),
    num(s.p50Ms),
    num(s.p99Ms),
    num(s.p999Ms),
    num(s.maxMs),
    String(s.errors),
    String(s.non2xx),
    s.serverCpuUsPerRequest === null ? '-' : String(s.serverCpuUsPerRequest),
    s.serverMainThreadCpuUsPerRequest === null ? '-' : String(s.serverMainThreadCpuUsPerRequest),
  ];
}

/**
 * The report as Markdown-friendly text: the machine, one table of client-side results (baseline
 * and service, every step), one table of the service's server-side timings per step, and the
 * ratio. This is the table docs/performance.md shows.
 */
export function formatBenchTable(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}), load average ${m.loadAverage1m} at start`);
  const w = r.settings.world;
  lines.push(
    `world: ${w.customers} customers, ${w.terminals} terminals, seed ${w.seed}; ${w.historyDays} days of history in the store, load from the ${w.loadDays} days after; ` +
      `${r.settings.durationSeconds} s per step after ${r.settings.warmupSeconds} s warm-up; ${r.settings.saturationRounds} saturation rounds; decision events ${r.settings.decisionEvents}; authentication ${r.settings.auth}; ` +
      `node flags ${r.settings.nodeFlags.join(' ') || 'none'}`,
  );
  lines.push('');
  const widths = [8, 16, 9, 8, 8, 9, 8, 6, 6, 11, 12];
  lines.push(row(['target', 'rate (req/s)', 'achieved', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors', 'non2xx', 'cpu µs/req', 'main µs/req'], widths));
  lines.push(widths.map((n) => '-'.repeat(n)).join('  '));
  const pairs: [StepResult, ServiceStep][] = r.baseline.fixed.map((b, i) => [b, r.service.fixed[i] as ServiceStep]);
  pairs.push([r.baseline.saturation, r.service.saturation]);
  for (const [b, s] of pairs) {
    lines.push(row(stepCells('baseline', b), widths));
    lines.push(row(stepCells('service', s), widths));
  }
  lines.push('');
  lines.push('cpu = all threads of the server process; main = its event-loop thread alone (the service scores there; its writer threads and V8\'s make the rest).');
  const busy = (s: StepResult) => (s.serverMainThreadCpuUsPerRequest === null ? '-' : `${Math.round((s.serverMainThreadCpuUsPerRequest * s.throughputRps) / 1e4)} %`);
  lines.push(`main thread busy at saturation (share of one core): baseline ${busy(r.baseline.saturation)}, service ${busy(r.service.saturation)}`);
  const probed = (name: string, t: BenchReport['baseline']) =>
    `${name} ${t.probe.map((p) => `${p.connections}: ${p.rps}`).join(', ')} -> ${t.saturationConnections}`;
  if (r.baseline.probe.length > 0) lines.push(`saturation connections, probed ${r.settings.probeSeconds} s each (connections: req/s): ${probed('baseline', r.baseline)}; ${probed('service', r.service)}`);
  const rounds = r.saturationRounds;
  lines.push(`ratio (service / baseline saturation throughput): ${num(r.ratio, 3)}` + (rounds.length > 1 ? `, the median of ${rounds.length} rounds (the saturation rows above are that round's)` : ''));
  if (rounds.length > 1) {
    lines.push(`rounds (baseline / service req/s = ratio): ${rounds.map((x) => `${x.baselineRps} / ${x.serviceRps} = ${num(x.ratio, 3)}`).join('; ')}`);
  }
  lines.push('');
  lines.push('service, server-side (from its /metrics histograms; p50/p99 per stage, ms, bucket estimates):');
  const sw = [16, ...STAGES.map(() => 15), 17, 8, 15, 9];
  lines.push(row(['rate (req/s)', ...STAGES, 'scoring p99/99.9', '<= 1 ms', 'http p50/p99', 'spilled'], sw));
  lines.push(sw.map((n) => '-'.repeat(n)).join('  '));
  for (const s of [...r.service.fixed, r.service.saturation]) {
    const t = s.server;
    lines.push(
      row(
        [
          s.rate === null ? 'max' : String(s.rate),
          ...STAGES.map((st) => `${num(t.stages[st].p50Ms, 3)}/${num(t.stages[st].p99Ms, 3)}`),
          `${num(t.scoring.p99Ms, 3)}/${num(t.scoring.p999Ms, 3)}`,
          `${num(t.scoring.atOrBelow1Ms * 100, 2)}%`,
          `${num(t.http.p50Ms, 3)}/${num(t.http.p99Ms, 3)}`,
          String(t.commitTimeouts),
        ],
        sw,
      ),
    );
  }
  lines.push('');
  lines.push('scoring = fraud_scoring_duration_seconds (profile fetch to decision, excluding HTTP); "<= 1 ms" is exact (a bucket bound).');
  lines.push('commit = the wait of a durable answer for its record\'s commit after the decision (none with DECISION_DURABILITY=async).');
  lines.push('spilled = answers whose record missed its commit deadline and was persisted to the spill file instead (fraud_decision_log_commit_timeouts_total).');
  if (r.service.reusedTransactions > 0) lines.push(`note: ${r.service.reusedTransactions} requests reused load transactions under new ids (the load period ran out)`);
  return `${lines.join('\n')}\n`;
}
