import { Gauge, type Registry } from 'prom-client';
import { FEATURE_DEFINITIONS } from '../../features';
import { binIndex, psi, type BinnedReference, type DriftReference } from '../model/drift/drift-reference';

/**
 * Features that are functions of the event time alone (hour, weekend, night): over a window of an
 * hour or a day their distribution is set by the window itself (a Tuesday holds no weekend), so
 * their PSI says nothing of the world; they are not monitored online. (Offline, over a week or
 * more, `fraudctl drift` shows them.)
 */
export const CALENDAR_FEATURES: ReadonlySet<string> = new Set(
  FEATURE_DEFINITIONS.filter((d) => d.kind === 'local_hour' || d.kind === 'is_weekend' || d.kind === 'is_night').map((d) => d.name),
);

/** What the monitor needs of a model: its version, feature order and reference (if any). */
export interface DriftModel {
  readonly version: string;
  readonly metadata: { readonly featureNames: readonly string[]; readonly drift?: DriftReference | undefined };
}

const EMPTY_REFERENCE: BinnedReference = { edges: [], shares: [1, 0] };

/** A sliding window of event time, kept as a ring of `slots` slots of `slotSeconds` each. */
export interface DriftWindowSpec {
  readonly name: string;
  readonly slotSeconds: number;
  readonly slots: number;
}

/** The windows PSI is exported for: the last hour (5-minute slots) and the last day (hourly slots). */
export const DRIFT_WINDOWS: readonly DriftWindowSpec[] = [
  { name: '1h', slotSeconds: 300, slots: 12 },
  { name: '24h', slotSeconds: 3600, slots: 24 },
];

/** One window's counts: per slot, its id (epoch seconds / slotSeconds, or -1 empty) and its bin counts. */
interface WindowCounts {
  readonly spec: DriftWindowSpec;
  readonly slotIds: Float64Array;
  /** Per slot: every feature's bins (at `offsets[f]`), then the score's (at `offsets[n]`). */
  readonly counts: Uint32Array[];
  /** Rows per slot. */
  readonly rows: Uint32Array;
  /** The newest slot id seen: the window is the `slots` slots up to it. */
  newest: number;
}

/** The reference of the model observed now, flattened for the hot path. */
interface Tracked {
  readonly version: string;
  readonly names: readonly string[];
  readonly refs: readonly BinnedReference[];
  readonly edges: readonly (readonly number[])[];
  /** Start of each variable's bins in a slot's counts; the last entry is the total length. */
  readonly offsets: Uint32Array;
  readonly windows: readonly WindowCounts[];
}

/**
 * Population stability of served traffic against the champion's reference distributions (see
 * model/drift/drift-reference.ts): every fresh, fully-informed scoring is binned with the
 * reference's fixed bins into sliding windows of event time, and the PSI of each feature and of
 * the score over each window is computed when Prometheus scrapes: `fraud_feature_psi{feature,
 * window}`, `fraud_score_psi{window}`, with `fraud_drift_window_rows{window}` (how many rows the
 * figures rest on). A new champion starts empty windows; a champion without a reference exports
 * nothing. Events older than a window's oldest slot are not counted in it. Calendar features
 * ({@link CALENDAR_FEATURES}) are counted but not exported.
 */
export class DriftMonitor {
  private tracked: Tracked | null = null;

  constructor(registry: Registry) {
    // prom-client calls `collect` with the gauge as `this`: the monitor is reached through these.
    const figures = () => this.figures();
    const windows = () => this.tracked?.windows ?? [];
    new Gauge({
      name: 'fraud_feature_psi',
      help: 'Population stability index of each served feature against the champion\'s training reference, by event-time window',
      labelNames: ['feature', 'window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [window, feature, value] of figures()) if (feature !== null && !CALENDAR_FEATURES.has(feature)) this.set({ feature, window }, value);
      },
    });
    new Gauge({
      name: 'fraud_score_psi',
      help: 'Population stability index of the served score against the champion\'s validation reference, by event-time window',
      labelNames: ['window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [window, feature, value] of figures()) if (feature === null) this.set({ window }, value);
      },
    });
    new Gauge({
      name: 'fraud_drift_window_rows',
      help: 'Scorings in each drift window (the PSI figures rest on them)',
      labelNames: ['window'],
      registers: [registry],
      collect() {
        this.reset();
        for (const w of windows()) this.set({ window: w.spec.name }, rowsOf(w));
      },
    });
  }

  /**
   * Counts one scoring by `model` (its reference is `metadata.drift`; none: nothing is counted):
   * its vector (the model's feature order) and score at `eventTime` (epoch seconds). Called on
   * the hot path: a binary search per feature over at most 10 edges and an increment per window,
   * no allocation.
   */
  observe(model: DriftModel, features: ArrayLike<number>, score: number, eventTime: number): void {
    let t = this.tracked;
    if (t === null || t.version !== model.version) {
      const reference = model.metadata.drift;
      if (reference === undefined) {
        this.tracked = null;
        return;
      }
      t = this.track(model.version, model.metadata.featureNames, reference);
    }
    const n = t.names.length;
    for (const w of t.windows) {
      const slotId = Math.floor(eventTime / w.spec.slotSeconds);
      const counts = slotFor(w, slotId);
      if (counts === null) continue;
      for (let f = 0; f < n; f++) (counts[(t.offsets[f] as number) + binIndex(t.edges[f] as readonly number[], features[f] as number)] as number)++;
      (counts[(t.offsets[n] as number) + binIndex(t.edges[n] as readonly number[], score)] as number)++;
    }
  }

  /** Every figure now: [window, feature (null for the score), PSI]; NaN-free (empty windows are left out). */
  figures(): [string, string | null, number][] {
    const t = this.tracked;
    if (t === null) return [];
    const out: [string, string | null, number][] = [];
    const n = t.names.length;
    for (const w of t.windows) {
      if (rowsOf(w) === 0) continue;
      const total = new Float64Array(t.offsets[n + 1] as number);
      for (let s = 0; s < w.spec.slots; s++) {
        if (!inWindow(w, w.slotIds[s] as number)) continue;
        const c = w.counts[s] as Uint32Array;
        for (let i = 0; i < c.length; i++) (total[i] as number) += c[i] as number;
      }
      for (let v = 0; v <= n; v++) {
        const value = psi(t.refs[v] as BinnedReference, total.subarray(t.offsets[v], t.offsets[v + 1]));
        out.push([w.spec.name, v < n ? (t.names[v] as string) : null, value]);
      }
    }
    return out;
  }

  private track(version: string, featureNames: readonly string[], reference: DriftReference): Tracked {
    // The vector's order; a feature the reference lacks gets one bin and no figure of note.
    const names = featureNames;
    const refs = [...names.map((name) => reference.features[name] ?? EMPTY_REFERENCE), reference.score];
    const offsets = new Uint32Array(refs.length + 1);
    for (let i = 0; i < refs.length; i++) offsets[i + 1] = (offsets[i] as number) + (refs[i] as BinnedReference).shares.length;
    const size = offsets[refs.length] as number;
    const windows = DRIFT_WINDOWS.map((spec) => ({
      spec,
      slotIds: new Float64Array(spec.slots).fill(-1),
      counts: Array.from({ length: spec.slots }, () => new Uint32Array(size)),
      rows: new Uint32Array(spec.slots),
      newest: -1,
    }));
    this.tracked = { version, names, refs, edges: refs.map((r) => r.edges), offsets, windows };
    return this.tracked;
  }
}

function inWindow(w: WindowCounts, slotId: number): boolean {
  return slotId >= 0 && slotId > w.newest - w.spec.slots && slotId <= w.newest;
}

function rowsOf(w: WindowCounts): number {
  let rows = 0;
  for (let s = 0; s < w.spec.slots; s++) if (inWindow(w, w.slotIds[s] as number)) rows += w.rows[s] as number;
  return rows;
}

/** The counts of `slotId` in `w` (cleared when its ring slot held an older one), or null when it is older than the window. */
function slotFor(w: WindowCounts, slotId: number): Uint32Array | null {
  if (slotId > w.newest) w.newest = slotId;
  else if (slotId <= w.newest - w.spec.slots) return null;
  const s = slotId % w.spec.slots;
  const counts = w.counts[s] as Uint32Array;
  if (w.slotIds[s] !== slotId) {
    counts.fill(0);
    w.slotIds[s] = slotId;
    w.rows[s] = 0;
  }
  (w.rows[s] as number)++;
  return counts;
}
