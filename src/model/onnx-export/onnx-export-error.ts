/** Why an export was refused: the model's kind, its document, or the caller's options. */
export type OnnxExportErrorCode = 'UNSUPPORTED_MODEL' | 'INVALID_MODEL' | 'INVALID_OPTIONS';

/** Thrown by the ONNX exporter; `code` is stable, the message is one line naming the problem. */
export class OnnxExportError extends Error {
  readonly code: OnnxExportErrorCode;

  constructor(code: OnnxExportErrorCode, message: string) {
    super(message);
    this.name = 'OnnxExportError';
    this.code = code;
  }
}
