/**
 * onnxruntime-node's native inference session, run on the calling thread: the service's only use
 * of a private part of a library, kept in this one module.
 *
 * Why: the public `InferenceSession.run` returns a promise; onnxruntime-node's backend calls the
 * native session's `run` inside a `setImmediate` and resolves with its result. The native `run`
 * itself is synchronous, so `ModelRuns` can score a batch without giving up the event loop
 * (`OnnxModel.scoreNow`).
 *
 * The contract relied on, in onnxruntime-node's `dist/binding.js` (with `dist/binding.d.ts`) and
 * `dist/backend.js`, checked against version {@link ONNXRUNTIME_NODE_CHECKED}:
 * - `binding.InferenceSession` is a constructor of a native session;
 * - `initOrt()` initialises the runtime once per process, before the first session (the public
 *   backend calls it in the same place);
 * - a session's `loadModel(buffer, byteOffset, byteLength, options)` takes the public
 *   `SessionOptions`, its `run(feeds, fetches, runOptions)` takes public `Tensor` feeds and returns
 *   the fetched outputs as public `Tensor`s, synchronously, and `dispose()` releases it;
 * - the public `run` is that same call, so both give the same scores.
 *
 * When any of it is missing or different, {@link openNativeSession} throws and `OnnxModel` scores
 * through the public asynchronous `run` only (`scoreNow` is null); it also drops the native session
 * of a model whose warm-up row it does not score exactly as the public `run` does.
 * test/unit/model/onnx-native.test.ts fails when the installed onnxruntime-node is not
 * {@link ONNXRUNTIME_NODE_CHECKED}, when the binding's shape changes, or when a native run on the
 * committed champion scores differently from the public `run`: re-check the list above against the
 * new version, then update the constant.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding';

/** The onnxruntime-node version whose internals this module was checked against. */
export const ONNXRUNTIME_NODE_CHECKED = '1.30.0';

/** Why a native session could not be opened: the caller uses the public asynchronous API. */
export class NativeSessionUnavailable extends Error {
  override readonly name = 'NativeSessionUnavailable';
}

/** Output names to fetch, each mapped to null (onnxruntime allocates the output). Built once per model. */
export type NativeFetches = Readonly<Record<string, null>>;

export interface NativeSession {
  /** Runs the graph on the calling thread; returns the fetched outputs. Throws onnxruntime's errors. */
  run(feeds: Readonly<Record<string, Tensor>>, fetches: NativeFetches): Record<string, Tensor>;
  /** Releases the native session; it must not be run afterwards. */
  dispose(): void;
}

/**
 * Opens a native session on a model's bytes with the public session options. Throws
 * {@link NativeSessionUnavailable} when the binding is not as described above, or onnxruntime's
 * error when it cannot load the model.
 */
export function openNativeSession(bytes: Uint8Array, options: InferenceSession.SessionOptions): NativeSession {
  if (typeof binding?.InferenceSession !== 'function') throw new NativeSessionUnavailable('onnxruntime-node/dist/binding has no InferenceSession constructor');
  if (typeof initOrt !== 'function') throw new NativeSessionUnavailable('onnxruntime-node/dist/binding has no initOrt');
  initOrt();
  const session = new binding.InferenceSession();
  for (const method of ['loadModel', 'run', 'dispose'] as const) {
    if (typeof session[method] !== 'function') throw new NativeSessionUnavailable(`onnxruntime-node's native session has no ${method}()`);
  }
  session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, options);
  return {
    run: (feeds, fetches) => session.run(feeds, fetches, {}) as Record<string, Tensor>,
    dispose: () => session.dispose(),
  };
}
