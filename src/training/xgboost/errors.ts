/**
 * The XGBoost binding's error catalogue. Each error carries a stable `code`; messages are one line
 * and safe to show to an operator (no native stack traces).
 */

/** Install hint shared by every "library missing" message. */
const INSTALL_HINT = 'run "apt-get install libxgboost0" or set XGBOOST_LIBRARY_PATH=/path/to/libxgboost.so.0';

/**
 * The native library could not be loaded (absent, wrong architecture, or too old).
 * `detail` keeps the loader's own reason; the message is one line naming what to install.
 */
export class XGBoostUnavailableError extends Error {
  readonly code = 'XGBOOST_UNAVAILABLE';
  readonly libraryPath: string;
  readonly detail: string;

  constructor(libraryPath: string, detail: string, options?: { cause?: unknown }) {
    super(`XGBoost is not available (cannot use ${libraryPath}): ${INSTALL_HINT}`, options);
    this.name = 'XGBoostUnavailableError';
    this.libraryPath = libraryPath;
    this.detail = oneLine(detail);
  }
}

/**
 * A native XGB* call returned a non-zero code. `nativeMessage` is XGBGetLastError()'s text without
 * the native stack trace; the message names the function too.
 */
export class XGBoostCallError extends Error {
  readonly code = 'XGBOOST_CALL_FAILED';
  readonly functionName: string;
  readonly returnCode: number;
  readonly nativeMessage: string;

  constructor(functionName: string, returnCode: number, nativeMessage: string) {
    const text = stripNativeStack(nativeMessage);
    super(`${functionName} failed (code ${returnCode}): ${text}`);
    this.name = 'XGBoostCallError';
    this.functionName = functionName;
    this.returnCode = returnCode;
    this.nativeMessage = text;
  }
}

/** A DMatrix or Booster was used after free(); raised in JS before any native call is made. */
export class XGBoostFreedError extends Error {
  readonly code = 'XGBOOST_HANDLE_FREED';

  constructor(kind: string, operation: string) {
    super(`${kind} has already been freed; cannot ${operation}`);
    this.name = 'XGBoostFreedError';
  }
}

/** XGBGetLastError() appends "Stack trace:" and [bt] frames; keep only the message before them. */
function stripNativeStack(message: string): string {
  const cut = message.indexOf('Stack trace:');
  const head = cut >= 0 ? message.slice(0, cut) : message;
  return oneLine(head) || 'no error text from XGBGetLastError()';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
