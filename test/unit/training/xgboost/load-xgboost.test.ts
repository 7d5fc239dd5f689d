import { loadXGBoost, MIN_XGBOOST_VERSION, XGBoostUnavailableError } from '../../../../src/training/xgboost';
import { requireXGBoost } from './require-xgboost';

function loadError(run: () => unknown): XGBoostUnavailableError {
  try {
    run();
  } catch (error) {
    if (error instanceof XGBoostUnavailableError) return error;
    throw error;
  }
  throw new Error('expected XGBoostUnavailableError');
}

describe('loadXGBoost without a usable library', () => {
  it('throws a one-line XGBoostUnavailableError naming what to install for a bogus path', () => {
    const error = loadError(() => loadXGBoost({ libraryPath: '/nonexistent/libxgboost-bogus.so' }));
    expect(error.code).toBe('XGBOOST_UNAVAILABLE');
    expect(error.libraryPath).toBe('/nonexistent/libxgboost-bogus.so');
    expect(error.message).toBe(
      'XGBoost is not available (cannot use /nonexistent/libxgboost-bogus.so): '
      + 'run "apt-get install libxgboost0" or set XGBOOST_LIBRARY_PATH=/path/to/libxgboost.so.0');
    expect(error.message).not.toContain('\n');
    expect(error.detail).toMatch(/cannot open shared object file/);
  });

  it('takes the path from the injected environment', () => {
    const error = loadError(() => loadXGBoost({ env: { XGBOOST_LIBRARY_PATH: '/nonexistent/from-env.so' } }));
    expect(error.libraryPath).toBe('/nonexistent/from-env.so');
  });

  it('prefers the explicit option over the environment', () => {
    const error = loadError(() => loadXGBoost({
      libraryPath: '/nonexistent/from-option.so',
      env: { XGBOOST_LIBRARY_PATH: '/nonexistent/from-env.so' },
    }));
    expect(error.libraryPath).toBe('/nonexistent/from-option.so');
  });

  it('rejects a library that lacks the XGBoost symbols', () => {
    const error = loadError(() => loadXGBoost({ libraryPath: 'libc.so.6' }));
    expect(error.message).toContain('apt-get install libxgboost0');
    expect(error.detail).toMatch(/XGB/);
  });

  it('loads nothing when the module is imported', async () => {
    await jest.isolateModulesAsync(async () => {
      const koffi = await import('koffi');
      const load = jest.spyOn(koffi.default, 'load');
      const binding = await import('../../../../src/training/xgboost');
      expect(load).not.toHaveBeenCalled();
      // The spy does watch the loader the binding uses:
      expect(() => binding.loadXGBoost({ libraryPath: '/nonexistent/spy.so' })).toThrow(binding.XGBoostUnavailableError);
      expect(load).toHaveBeenCalledWith('/nonexistent/spy.so');
      load.mockRestore();
    });
  });
});

const xgb = requireXGBoost('loadXGBoost with libxgboost');
const describeWithXGBoost = xgb ? describe : describe.skip;

describeWithXGBoost('loadXGBoost with libxgboost', () => {
  it('reports a version at least the supported minimum', () => {
    const version = xgb!.version();
    expect(version.major * 1000 + version.minor).toBeGreaterThanOrEqual(MIN_XGBOOST_VERSION.major * 1000 + MIN_XGBOOST_VERSION.minor);
    expect(xgb!.libraryPath).toBe(process.env.XGBOOST_LIBRARY_PATH || 'libxgboost.so.0');
  });

  it('can be loaded twice in one process', () => {
    const again = loadXGBoost({ libraryPath: xgb!.libraryPath });
    expect(again.version()).toEqual(xgb!.version());
  });
});
