import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';

/**
 * Jest's node environment runs each test file in its own realm. Two host-realm things do not cross:
 * - typed arrays made by native addons (onnxruntime-node's outputs) fail onnxruntime-common's
 *   `instanceof Float32Array` check, because the realms' constructors differ;
 * - on Node 20, `Symbol.dispose` / `Symbol.asyncDispose` exist only on the host's `Symbol`, so
 *   `using` and `[Symbol.dispose]()` methods break inside the test realm.
 * This environment shares both with the test realm. jest.config.js makes it the environment of every test file.
 */
const TYPED_ARRAYS = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
] as const;

export default class HostRealmEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const host = globalThis as unknown as Record<string, unknown>;
    const realm = this.global as unknown as Record<string, unknown> & { Symbol: Record<string, unknown> };
    for (const name of TYPED_ARRAYS) realm[name] = host[name];
    for (const name of ['dispose', 'asyncDispose'] as const) {
      if (realm.Symbol[name] === undefined) {
        Object.defineProperty(realm.Symbol, name, { value: Symbol[name], writable: false, enumerable: false, configurable: false });
      }
    }
  }
}
