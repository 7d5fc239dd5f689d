import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TreeShap } from './explain/tree-shap';
import type { ServiceMetrics } from '../telemetry/metrics';
import { OnnxModel } from './onnx-model';
import { ModelRegistry } from './registry/model-registry';

export interface ModelManagerOptions {
  readonly registry: ModelRegistry;
  readonly expectedSpecHash: string;
  readonly pollIntervalMs: number;
  /** A registry version scored in shadow; null for none. */
  readonly challengerVersion: string | null;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** How long a replaced model stays open for requests already using it, ms. */
  readonly retireAfterMs?: number;
}

/** Explainers of versions no longer served kept in memory, at most. */
const PAST_EXPLAINERS = 4;

/**
 * Holds the champion (and an optional shadow challenger) and follows the registry's champion
 * pointer. A model that fails its checks (signature when the registry verifies them, checksum,
 * feature spec hash, onnxruntime load, warm-up)
 * is refused with one log line and counted; the current one keeps serving. A swap is a reference
 * assignment: requests already scoring finish on the old session, which is released later.
 */
export class ModelManager {
  private current: OnnxModel | null = null;
  private shadow: OnnxModel | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refusedVersion: string | null = null;
  private checking: Promise<void> | null = null;
  /** Explainers of earlier versions read for audit (see {@link explainerFor}), most recent last. */
  private readonly pastExplainers = new Map<string, TreeShap | null>();

  private constructor(private readonly opts: ModelManagerOptions) {}

  /** Loads the current champion (or none, logged) and the challenger; ready when resolved. */
  static async create(opts: ModelManagerOptions): Promise<ModelManager> {
    const m = new ModelManager(opts);
    await m.check();
    if (opts.challengerVersion !== null) m.shadow = await m.tryLoad(opts.challengerVersion, 'challenger');
    return m;
  }

  /** The model answering requests, or null when none could be loaded. */
  champion(): OnnxModel | null {
    return this.current;
  }

  /** The shadow model, or null. */
  challenger(): OnnxModel | null {
    return this.shadow;
  }

  /**
   * The explainer of registry version `version`, for explaining a logged decision: the champion's
   * or challenger's own, else read (signature and checksums verified) from the registry and kept
   * for the next look-up (the last {@link PAST_EXPLAINERS}). Null when that version is gone, has
   * no explainer or is refused (logged once per look-up).
   */
  explainerFor(version: string): TreeShap | null {
    for (const m of [this.current, this.shadow]) if (m?.version === version) return m.explainer;
    if (this.pastExplainers.has(version)) return this.pastExplainers.get(version) ?? null;
    let shap: TreeShap | null = null;
    try {
      const entry = this.opts.registry.get(version);
      this.opts.registry.verify(entry);
      const spec = entry.metadata.explainer;
      if (spec !== undefined) shap = OnnxModel.explainerOf(entry.metadata, readFileSync(join(entry.dir, spec.file)));
    } catch (err) {
      this.opts.logger.warn(`cannot explain decisions of model ${version}: ${(err as Error).message}`);
    }
    this.pastExplainers.set(version, shap);
    if (this.pastExplainers.size > PAST_EXPLAINERS) this.pastExplainers.delete(this.pastExplainers.keys().next().value as string);
    return shap;
  }

  /** Starts polling the champion pointer. */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.check(), this.opts.pollIntervalMs);
    this.timer.unref();
  }

  /** Re-reads the champion pointer now and swaps if it moved to a loadable model. */
  check(): Promise<void> {
    this.checking ??= this.doCheck().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.checking;
    await Promise.all([this.current?.close(), this.shadow?.close()]);
  }

  private async doCheck(): Promise<void> {
    let version: string | null;
    try {
      version = this.opts.registry.pointer()?.version ?? null;
    } catch (err) {
      this.opts.logger.error({ err }, 'cannot read the champion pointer; keeping the current model');
      return;
    }
    if (version === null) {
      if (this.current === null && this.refusedVersion !== '') {
        this.refusedVersion = '';
        this.opts.logger.warn(`no champion in ${this.opts.registry.root}: decisions fall back to the no-model policy`);
      }
      return;
    }
    if (version === this.current?.version || version === this.refusedVersion) return;
    const next = await this.tryLoad(version, 'champion');
    if (next === null) {
      this.refusedVersion = version;
      return;
    }
    const old = this.current;
    this.current = next;
    this.refusedVersion = null;
    this.opts.metrics.modelInfo.set({ version: next.version, role: 'champion' }, 1);
    if (old !== null) {
      this.opts.metrics.modelInfo.remove({ version: old.version, role: 'champion' });
      setTimeout(() => void old.close(), this.opts.retireAfterMs ?? 30_000).unref();
    }
    this.opts.logger.info({ model: { version: next.version, previous: old?.version ?? null } }, `champion is now ${next.version}`);
  }

  private async tryLoad(version: string, role: 'champion' | 'challenger'): Promise<OnnxModel | null> {
    try {
      const entry = this.opts.registry.get(version);
      // An unsigned model, or one whose model.json changed after signing (thresholds included), is never served.
      this.opts.registry.verify(entry);
      const model = await OnnxModel.load(entry.dir, entry.metadata, { expectedSpecHash: this.opts.expectedSpecHash });
      if (role === 'challenger') this.opts.metrics.modelInfo.set({ version, role }, 1);
      return model;
    } catch (err) {
      this.opts.metrics.modelLoadFailures.inc({ role });
      this.opts.logger.error(`refusing ${role} model ${version}: ${(err as Error).message}${this.current === null ? '' : `; still serving ${this.current.version}`}`);
      return null;
    }
  }
}
